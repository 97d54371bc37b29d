// The clients of one load-generator process (a Node worker or a k6 VU): built from the plan with
// the same placement in both drivers, run phase by phase, and reported at the end (ticks against
// the plan, the receipt log). The drivers keep only what differs: processes or VUs, and how
// figures leave. No Node or k6 imports.
import type { ActionKind } from '../../analysis/metric-names.ts';
import { STATUS_RANK } from '../../reference-server/protocol.ts';
import { placeClients } from '../../scenarios/placement.ts';
import type { Plan } from '../../scenarios/plan.ts';
import { emptyReceiptLog, type ReceiptLogPart } from './receipts.ts';
import { SimClient, type ClientSink } from './sim-client.ts';
import type { Transport } from './transport.ts';

export interface TickReport {
  /** own messages acked per conversation, summed by the driver against the plan */
  ownMessages: Record<string, number>;
  checked: number;
  /** every tick that differs from the plan, counted */
  mismatched: number;
  /** a few of them, described (at most MAX_MISMATCH_EXAMPLES): a 15,000-user storm gone wrong must not build a list per tick */
  mismatches: string[];
}

export const MAX_MISMATCH_EXAMPLES = 20;

/** Adds `part` to `total`, keeping examples bounded. */
export function addTicks(total: TickReport, part: TickReport): void {
  for (const [conversation, count] of Object.entries(part.ownMessages)) total.ownMessages[conversation] = (total.ownMessages[conversation] ?? 0) + count;
  total.checked += part.checked;
  total.mismatched += part.mismatched ?? part.mismatches.length;
  for (const example of part.mismatches) {
    if (total.mismatches.length >= MAX_MISMATCH_EXAMPLES) break;
    total.mismatches.push(example);
  }
}

export function emptyTicks(): TickReport {
  return { ownMessages: {}, checked: 0, mismatched: 0, mismatches: [] };
}

export interface FleetOptions {
  plan: Plan;
  /** the clients this process holds */
  userIds: number[];
  /** one URL per server node; clients are placed on them by scenarios/placement.ts */
  serverUrls: string[];
  token(userId: number): string;
  transport: Transport;
  cachesSettings: boolean;
  sink: ClientSink;
}

export class ClientFleet {
  readonly clients = new Map<number, SimClient>();
  readonly receipts: ReceiptLogPart = emptyReceiptLog();
  /** actions of the phase running now */
  private phaseActions: Record<string, number> = {};
  private readonly members = new Map<number, number[]>();
  /** clients done with the phase running now, of `total` */
  done = 0;
  total = 0;

  constructor(private readonly options: FleetOptions) {
    const { plan, serverUrls: urls } = options;
    for (const conversation of plan.conversations) this.members.set(conversation.id, conversation.members);
    const placement = placeClients(plan, urls.length);
    const sink: ClientSink = {
      ...options.sink,
      count: (action: ActionKind) => {
        this.phaseActions[action] = (this.phaseActions[action] ?? 0) + 1;
        options.sink.count(action);
      },
    };
    const context = { transport: options.transport, cachesSettings: options.cachesSettings, sink, receipts: this.receipts };
    for (const userId of options.userIds) {
      const home = placement.get(userId) ?? 0;
      // home node first, then the others in turn: where a client goes when its node is lost
      const order = urls.map((_, index) => urls[(home + index) % urls.length]!);
      this.clients.set(userId, new SimClient(userId, order, options.token(userId), context));
    }
  }

  get size(): number {
    return this.clients.size;
  }

  /** Runs this process's scripts of one phase, each client settled at the end; never throws. */
  /**
   * `error`: the phase did not finish in time, and later phases would lack its state. `failure`:
   * some clients failed (counted as `client_failed`) and every other one finished: the run goes on.
   */
  async runPhase(index: number, startAt: number): Promise<{ actions: Record<string, number>; error?: string; failure?: string }> {
    const phase = this.options.plan.phases[index]!;
    this.phaseActions = {};
    this.done = 0;
    const scripts = phase.scripts.filter((script) => this.clients.has(script.userId));
    this.total = scripts.length;
    // one client failing (a connection refused past its deadline) must not abort the others:
    // each settles on its own, failures are counted and the phase goes on to its end
    let failed = 0;
    let firstFailure: string | undefined;
    const work = Promise.all(
      scripts.map(async (script) => {
        const client = this.clients.get(script.userId)!;
        try {
          if (script.readEvery) client.readEvery = script.readEvery;
          for (const step of script.steps) await client.run(step, startAt);
          await client.settle();
        } catch (error) {
          failed += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
          this.options.sink.error('client_failed');
        }
        this.done += 1;
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`phase "${phase.name}" did not finish within ${phase.timeoutMs} ms (${this.done}/${scripts.length} clients done)`)), phase.timeoutMs);
    });
    try {
      await Promise.race([work, timeout]);
      if (failed === 0) return { actions: this.phaseActions };
      return { actions: this.phaseActions, failure: `phase "${phase.name}": ${failed} of ${scripts.length} clients failed (first: ${firstFailure})` };
    } catch (error) {
      this.options.sink.error('phase_failed');
      return { actions: this.phaseActions, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The clients' ticks against the plan's expected end state. */
  ticks(): TickReport {
    const ticks = emptyTicks();
    for (const expected of this.options.plan.expected) {
      for (const member of this.members.get(expected.conversationId) ?? []) {
        const client = this.clients.get(member);
        const view = client?.state.conversation(expected.conversationId);
        if (!client || !view) continue;
        ticks.ownMessages[expected.conversationId] = (ticks.ownMessages[expected.conversationId] ?? 0) + view.own.size;
        for (const seq of view.own.keys()) {
          ticks.checked += 1;
          const tick = client.state.tick(expected.conversationId, seq);
          if (STATUS_RANK[tick] === STATUS_RANK[expected.tick]) continue;
          ticks.mismatched += 1;
          if (ticks.mismatches.length < MAX_MISMATCH_EXAMPLES) {
            ticks.mismatches.push(`user ${member} conversation ${expected.conversationId} seq ${seq}: client shows ${tick}, plan expects ${expected.tick}`);
          }
        }
      }
    }
    return ticks;
  }

  /** The receipt log with every sender's own messages: what the driver matches across processes. */
  receiptLog(): ReceiptLogPart {
    this.receipts.own.length = 0;
    for (const client of this.clients.values()) client.logOwn();
    return this.receipts;
  }

  async disconnectAll(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.disconnect().catch(() => {})));
  }
}
