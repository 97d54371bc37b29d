// What happens at a plan's phase boundaries on the database side, wherever the phases are led
// from (the orchestrator on one machine, `chatbench k6 coordinate` for a cluster's runners): a
// WAL mark at each start and end, and a phase's bulk history imported (counted as setup) before
// its clients start.
import type pg from 'pg';
import type { Phase } from '../analysis/results-schema.ts';
import { importHistory } from '../reference-server/db/history.ts';
import type { ActionDb } from '../reference-server/db/query-layer.ts';
import { currentWalLsn, walBytesBetween } from '../reference-server/db/truth.ts';
import type { ReceiptModel } from '../reference-server/models/types.ts';
import type { Plan } from '../scenarios/plan.ts';

export interface PhaseMarks {
  readonly phases: Phase[];
  onPhaseStart(index: number): Promise<void>;
  onPhaseEnd(index: number, actions: Record<string, number>): Promise<void>;
}

export function phaseMarks(options: { plan: Plan; model: ReceiptModel; admin: Pick<pg.Client, 'query'>; setup: ActionDb; runStart: () => number }): PhaseMarks {
  const { plan, model, admin, setup } = options;
  const conversationById = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
  const phases: Phase[] = [];
  let phaseLsn = '';
  let phaseStart = 0;
  return {
    phases,
    async onPhaseStart(index) {
      phaseLsn = await currentWalLsn(admin);
      phaseStart = Date.now() - options.runStart();
      const phase = plan.phases[index]!;
      if (phase.history) {
        await importHistory(
          setup,
          model,
          phase.history.map((item) => ({ conversation: conversationById.get(item.conversationId)!, senderId: item.senderId, messages: item.messages })),
        );
      }
    },
    async onPhaseEnd(index, actions) {
      const lsn = await currentWalLsn(admin);
      phases.push({
        name: plan.phases[index]!.name,
        startMs: phaseStart,
        endMs: Date.now() - options.runStart(),
        wal_bytes: await walBytesBetween(admin, phaseLsn, lsn),
        actions,
      });
    },
  };
}
