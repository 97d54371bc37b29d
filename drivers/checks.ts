// The checks every run passes before its figures are shown: the senders' derived ticks against the
// plan, and the ticks the model's stored state gives against the same plan. The second also
// measures durability: a message whose stored tick is below the tick its sender holds is an
// acknowledged receipt lost (the server pushed the status, the sender showed the tick, Postgres
// does not have it).
import type { ReceiptModel } from '../reference-server/models/types.ts';
import type { ActionDb } from '../reference-server/db/query-layer.ts';
import { STATUS_RANK } from '../reference-server/protocol.ts';
import { seededRandom, type ExpectedConversation, type Plan } from '../scenarios/plan.ts';
import type { DriverOutcome } from './types.ts';

export const CHECK_DEFAULTS = {
  /** conversations whose stored ticks are re-derived from the database after an ordinary run */
  serverTickSample: 300,
  /** conversations checked at once (the check pool's connections) */
  concurrency: 4,
};

/** Every conversation the plan expects holds exactly its messages, each with the expected tick. */
export function checkClientTicks(plan: Plan, outcome: DriverOutcome): { mismatches: string[] } {
  const mismatches = [...outcome.ticks.mismatches];
  for (const expected of plan.expected) {
    const held = outcome.ticks.ownMessages[expected.conversationId] ?? 0;
    if (held !== expected.messages) mismatches.push(`conversation ${expected.conversationId}: senders hold ${held} acked messages, plan sent ${expected.messages}`);
  }
  return { mismatches };
}

export interface StoredCheckOptions {
  /** every conversation, not a sample: a node was killed and every lost receipt must be counted */
  all: boolean;
  /**
   * a model that acknowledges before Postgres has the ack, after a crash: stored ticks below the
   * plan are its measured loss, not an inconsistency (anywhere else they are both)
   */
  lossIsExpected: boolean;
}

export interface StoredCheck {
  checked: number;
  mismatches: string[];
  /** messages whose stored tick is below what the sender holds (the plan's tick, as the client check confirms) */
  lost: number;
  conversations: number;
}

/** Re-derives ticks from the stored state (the model's own `ticks`) for all or a seeded sample of conversations. */
export async function checkStoredTicks(plan: Plan, model: ReceiptModel, db: ActionDb, options: StoredCheckOptions): Promise<StoredCheck> {
  const conversations = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
  const chosen = options.all ? plan.expected : sample(plan, CHECK_DEFAULTS.serverTickSample);
  const result: StoredCheck = { checked: 0, mismatches: [], lost: 0, conversations: chosen.length };
  const checkOne = async (expected: ExpectedConversation) => {
    const ticks = await model.ticks(db, conversations.get(expected.conversationId)!);
    if (ticks.size !== expected.messages) result.mismatches.push(`conversation ${expected.conversationId}: ${ticks.size} messages stored, plan sent ${expected.messages}`);
    for (const [seq, tick] of ticks) {
      result.checked += 1;
      const behind = STATUS_RANK[tick] < STATUS_RANK[expected.tick];
      if (behind) result.lost += 1;
      if (STATUS_RANK[tick] !== STATUS_RANK[expected.tick] && !(behind && options.lossIsExpected)) {
        result.mismatches.push(`conversation ${expected.conversationId} seq ${seq}: stored state gives ${tick}, plan expects ${expected.tick}`);
      }
    }
  };
  for (let next = 0; next < chosen.length; next += CHECK_DEFAULTS.concurrency) {
    await Promise.all(chosen.slice(next, next + CHECK_DEFAULTS.concurrency).map(checkOne));
  }
  return result;
}

function sample(plan: Plan, size: number): ExpectedConversation[] {
  const random = seededRandom(plan.seed ^ 0x5eed);
  const pool = [...plan.expected];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, size);
}
