// A load-generator process: holds one shard of the plan's clients and runs each phase's scripts
// for them when the driver says so. Several run side by side past one process's file limit.
import { mintToken } from '../../reference-server/auth.ts';
import { planClients } from '../../scenarios/plan.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { ClientFleet } from '../client/fleet.ts';
import { LatencyRecorder } from '../recorder.ts';
import type { ParentMessage, WorkerConfig, WorkerMessage } from './worker-protocol.ts';
import { wsTransport } from './ws-transport.ts';

class Worker {
  private readonly actions: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly recorder: LatencyRecorder;
  private readonly fleet: ClientFleet;
  private readonly cpuStart = process.cpuUsage();
  /** clients whose socket dropped and who synced again on another node: drop and sync times */
  private readonly recoveries: { droppedAt: number; syncedAt: number }[] = [];
  private readonly resends: Record<string, number> = {};

  constructor(config: WorkerConfig) {
    const scenario = SCENARIOS[config.scenario];
    if (!scenario) throw new Error(`unknown scenario ${config.scenario}`);
    const plan = scenario.plan(config.params as never, config.seed);
    this.recorder = new LatencyRecorder(config.model, config.runStart);
    const all = planClients(plan);
    // contiguous blocks keep a scenario's partners (adjacent ids) in one process
    const size = Math.ceil(all.length / config.shardCount);
    this.fleet = new ClientFleet({
      plan,
      userIds: all.slice(config.shardIndex * size, (config.shardIndex + 1) * size),
      serverUrls: config.serverUrls,
      token: (userId) => mintToken(config.secret, userId),
      transport: wsTransport,
      cachesSettings: config.cachesSettings,
      sink: {
        latency: (metric, valueMs) => this.recorder.record(metric, valueMs),
        count: (action) => {
          this.actions[action] = (this.actions[action] ?? 0) + 1;
        },
        error: (code) => {
          this.errors[code] = (this.errors[code] ?? 0) + 1;
        },
        recovered: (droppedAt, syncedAt) => {
          this.recoveries.push({ droppedAt, syncedAt });
        },
        resent: (action) => {
          this.resends[action] = (this.resends[action] ?? 0) + 1;
        },
      },
    });
  }

  get size(): number {
    return this.fleet.size;
  }

  async runPhase(index: number, startAt: number): Promise<WorkerMessage> {
    const progress = setInterval(() => send({ type: 'progress', index, done: this.fleet.done, total: this.fleet.total }), 500);
    try {
      const { actions, error, failure } = await this.fleet.runPhase(index, startAt);
      return { type: 'phaseDone', index, actions, ...(error ? { error } : {}), ...(failure ? { failure } : {}) };
    } finally {
      clearInterval(progress);
    }
  }

  finish(): WorkerMessage {
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      type: 'final',
      actions: this.actions,
      errors: this.errors,
      latency: this.recorder.export(),
      ticks: this.fleet.ticks(),
      receipts: this.fleet.receiptLog(),
      recoveries: this.recoveries,
      resends: this.resends,
      memory: { rssBytes: rssOrZero(), cpuMs: (cpu.user + cpu.system) / 1000 },
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

/** RSS is read from /proc: with every descriptor taken (EMFILE) that throws, and the report must still go out */
function rssOrZero(): number {
  try {
    return process.memoryUsage.rss();
  } catch {
    return 0;
  }
}
