// A load-generator process: holds one shard of the plan's clients and runs each phase's scripts
// for them when the driver says so. Several run side by side past one process's file limit.
import { mintToken } from '../../reference-server/auth.ts';
import { STATUS_RANK } from '../../reference-server/protocol.ts';
import { planClients, type Plan } from '../../scenarios/plan.ts';
import { placeClients } from '../../scenarios/placement.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { LatencyRecorder } from '../recorder.ts';
import { SimClient, type ClientEnvironment } from './sim-client.ts';
import type { ParentMessage, TickReport, WorkerConfig, WorkerMessage } from './worker-protocol.ts';

interface ReceiptClock {
  reader: number;
  target: number;
  sentAt: number;
}

class Worker {
  private readonly clients = new Map<number, SimClient>();
  private readonly actions: Record<string, number> = {};
  private phaseActions: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly recorder: LatencyRecorder;
  private readonly plan: Plan;
  private readonly members = new Map<number, number[]>();
  /** per sender and conversation, the receipt clocks waiting for that sender to see a read */
  private readonly clocks = new Map<string, ReceiptClock[]>();
  private readonly cpuStart = process.cpuUsage();
  /** clients whose socket dropped and who synced again on another node: drop and sync times */
  private readonly recoveries: { droppedAt: number; syncedAt: number }[] = [];

  constructor(private readonly config: WorkerConfig) {
    const scenario = SCENARIOS[config.scenario];
    if (!scenario) throw new Error(`unknown scenario ${config.scenario}`);
    this.plan = scenario.plan(config.params as never, config.seed);
    this.recorder = new LatencyRecorder(config.model, config.runStart);
    for (const conversation of this.plan.conversations) this.members.set(conversation.id, conversation.members);
    const all = planClients(this.plan);
    // contiguous blocks keep a scenario's partners (adjacent ids) in one process
    const size = Math.ceil(all.length / config.shardCount);
    const mine = all.slice(config.shardIndex * size, (config.shardIndex + 1) * size);
    const env = this.environment();
    const urls = config.serverUrls;
    const placement = placeClients(this.plan, urls.length);
    for (const userId of mine) {
      const home = placement.get(userId) ?? 0;
      // home node first, then the others in turn: where a client goes when its node is lost
      const order = urls.map((_, index) => urls[(home + index) % urls.length]!);
      this.clients.set(userId, new SimClient(userId, { ...env, url: order[0]!, urls: order, token: mintToken(config.secret, userId) }));
    }
  }

  get size(): number {
    return this.clients.size;
  }

  private environment(): Omit<ClientEnvironment, 'url' | 'token'> {
    return {
      cachesSettings: this.config.cachesSettings,
      recorder: this.recorder,
      count: (action) => {
        this.actions[action] = (this.actions[action] ?? 0) + 1;
        this.phaseActions[action] = (this.phaseActions[action] ?? 0) + 1;
      },
      error: (code) => {
        this.errors[code] = (this.errors[code] ?? 0) + 1;
      },
      recovered: (droppedAt, syncedAt) => {
        this.recoveries.push({ droppedAt, syncedAt });
      },
      readSent: (reader, conversationId, fromSeq, upToSeq) => {
        const sentAt = Date.now();
        for (const member of this.members.get(conversationId) ?? []) {
          if (member === reader) continue;
          const sender = this.clients.get(member);
          const view = sender?.state.conversation(conversationId);
          if (!view) continue;
          let target = 0;
          for (const seq of view.own.keys()) if (seq > fromSeq && seq <= upToSeq && seq > target) target = seq;
          if (!target) continue;
          const key = `${member}:${conversationId}`;
          this.clocks.set(key, [...(this.clocks.get(key) ?? []), { reader, target, sentAt }]);
        }
      },
      statusReceived: (client, conversationId) => {
        const key = `${client.userId}:${conversationId}`;
        const pending = this.clocks.get(key);
        if (!pending) return;
        const now = Date.now();
        const left = pending.filter((clock) => {
          if (client.state.readThrough(conversationId, clock.reader) < clock.target) return true;
          this.recorder.record('latency.receipt', now - clock.sentAt);
          return false;
        });
        if (left.length) this.clocks.set(key, left);
        else this.clocks.delete(key);
      },
    };
  }

  async runPhase(index: number, startAt: number): Promise<WorkerMessage> {
    const phase = this.plan.phases[index]!;
    this.phaseActions = {};
    const scripts = phase.scripts.filter((script) => this.clients.has(script.userId));
    let done = 0;
    const progress = setInterval(() => send({ type: 'progress', index, done, total: scripts.length }), 500);
    try {
      const work = Promise.all(
        scripts.map(async (script) => {
          const client = this.clients.get(script.userId)!;
          if (script.readEvery) client.readEvery = script.readEvery;
          for (const step of script.steps) await client.run(step, startAt);
          await client.settle();
          done += 1;
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`phase "${phase.name}" did not finish within ${phase.timeoutMs} ms (${done}/${scripts.length} clients done)`)), phase.timeoutMs);
      });
      try {
        await Promise.race([work, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return { type: 'phaseDone', index, actions: this.phaseActions };
    } catch (error) {
      this.errors.phase_failed = (this.errors.phase_failed ?? 0) + 1;
      return { type: 'phaseDone', index, actions: this.phaseActions, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearInterval(progress);
    }
  }

  finish(): WorkerMessage {
    const ticks: TickReport = { ownMessages: {}, checked: 0, mismatches: [] };
    for (const expected of this.plan.expected) {
      for (const member of this.members.get(expected.conversationId) ?? []) {
        const client = this.clients.get(member);
        const view = client?.state.conversation(expected.conversationId);
        if (!client || !view) continue;
        ticks.ownMessages[expected.conversationId] = (ticks.ownMessages[expected.conversationId] ?? 0) + view.own.size;
        for (const seq of view.own.keys()) {
          ticks.checked += 1;
          const tick = client.state.tick(expected.conversationId, seq);
          if (STATUS_RANK[tick] !== STATUS_RANK[expected.tick] && ticks.mismatches.length < 20) {
            ticks.mismatches.push(`user ${member} conversation ${expected.conversationId} seq ${seq}: client shows ${tick}, plan expects ${expected.tick}`);
          } else if (STATUS_RANK[tick] !== STATUS_RANK[expected.tick]) ticks.mismatches.push('…');
        }
      }
    }
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      type: 'final',
      actions: this.actions,
      errors: this.errors,
      latency: this.recorder.export(),
      ticks,
      recoveries: this.recoveries,
      memory: { rssBytes: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000 },
    };
  }
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

let worker: Worker | undefined;
process.on('message', (message: ParentMessage) => {
  void (async () => {
    if (message.type === 'init') {
      worker = new Worker(message.config);
      send({ type: 'ready', clients: worker.size });
    } else if (message.type === 'phase' && worker) {
      send(await worker.runPhase(message.index, message.startAt));
    } else if (message.type === 'finish' && worker) {
      // the final message carries every raw sample: only disconnect once it has been handed over
      process.send?.(worker.finish(), () => {
        process.disconnect?.();
        // sockets still open to a server that is about to stop must not keep this process alive
        setTimeout(() => process.exit(0), 200).unref();
      });
    }
  })().catch((error: unknown) => {
    process.stderr.write(`worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
});
