// What happens at a plan's phase boundaries on the database side, wherever the phases are led
// from (the orchestrator on one machine, `chatbench k6 coordinate` for a cluster's runners): the
// server nodes drained (what a buffering model holds written, so it counts in the phase that
// acked it), a phase's bulk history imported before its clients start, as setup (its WAL, and the
// VACUUM ANALYZE before every phase, kept apart from the phase's), then WAL marked over the phase.
import type { Phase } from '../analysis/results-schema.ts';
import { importHistory } from '../reference-server/db/history.ts';
import type { ActionDb } from '../reference-server/db/query-layer.ts';
import type { ReceiptModel } from '../reference-server/models/types.ts';
import { placeClients } from '../scenarios/placement.ts';
import type { Plan } from '../scenarios/plan.ts';
import type { WalMeter } from './wal-meter.ts';

export interface PhaseMarks {
  readonly phases: Phase[];
  onPhaseStart(index: number): Promise<void>;
  onPhaseEnd(index: number, actions: Record<string, number>): Promise<void>;
}

export function phaseMarks(options: {
  plan: Plan;
  /** an instance for bulk history (never one of the nodes') */
  model: ReceiptModel;
  wal: WalMeter;
  setup: ActionDb;
  runStart: () => number;
  /** every live node writes what its model buffers */
  drain?: () => Promise<unknown>;
  /** the nodes load the conversations of users whose devices a phase restores offline (`restore`) */
  warm?: (userIds: number[]) => Promise<unknown>;
}): PhaseMarks {
  const { plan, model, wal, setup } = options;
  const drain = options.drain ?? (async () => {});
  const conversationById = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
  const phases: Phase[] = [];
  let phaseStart = 0;
  return {
    phases,
    async onPhaseStart(index) {
      const history = plan.phases[index]!.history;
      // what the previous phase's acks left buffered belongs to that phase, not to this setup
      await drain();
      // a phase's queries are planned on what the last one left: the VACUUM ANALYZE is part of setup
      await wal.setup(async () => {
        // a restored device's user is one a node has seen log in: its first sync costs what a
        // returning user's does, however the history came to be
        const restored = plan.phases[index]!.scripts.filter((script) => script.steps.some((step) => step.op === 'restore')).map((script) => script.userId);
        if (restored.length) await options.warm?.(restored);
        if (!history) return;
        await importHistory(
          setup,
          model,
          history.map((item) => ({ conversation: conversationById.get(item.conversationId)!, senderId: item.senderId, messages: item.messages })),
        );
      });
      await wal.phaseStart();
      phaseStart = Date.now() - options.runStart();
    },
    async onPhaseEnd(index, actions) {
      await drain();
      phases.push({ name: plan.phases[index]!.name, startMs: phaseStart, endMs: Date.now() - options.runStart(), ...(await wal.phaseEnd()), actions });
    },
  };
}

/**
 * `warm` for phaseMarks from one warm per node, in the order clients are placed on them
 * (scenarios/placement.ts): each node hears of the restored users that will connect to it.
 */
export function warmPlaced(plan: Plan, nodes: ((userIds: number[]) => Promise<unknown>)[]): (userIds: number[]) => Promise<unknown> {
  const placement = placeClients(plan, nodes.length);
  return (userIds) => Promise.all(nodes.map((warm, index) => warm(userIds.filter((userId) => placement.get(userId) === index))));
}
