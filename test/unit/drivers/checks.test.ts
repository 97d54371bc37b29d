// The stored-tick check on hand-made stored states (a fake model, no database): a stored tick
// below the plan's is an acknowledged receipt lost; it is an inconsistency too, unless the run
// says a buffering model lost it to a crash; a stored tick above the plan is always one.
import { describe, expect, it } from 'vitest';
import { checkStoredTicks, CHECK_DEFAULTS } from '../../../drivers/checks.ts';
import type { ActionDb } from '../../../reference-server/db/query-layer.ts';
import type { ReceiptModel } from '../../../reference-server/models/types.ts';
import type { Tick } from '../../../reference-server/protocol.ts';
import type { Plan } from '../../../scenarios/plan.ts';

const conversations = Array.from({ length: 400 }, (_, i) => ({ id: i + 1, kind: 'direct' as const, members: [1, 2] }));
const plan: Plan = {
  scenario: 'test',
  seed: 1,
  params: {},
  users: [1, 2],
  conversations,
  phases: [],
  expected: conversations.map((c) => ({ conversationId: c.id, messages: 3, tick: 'read' as const })),
};

/** stored ticks: every conversation read, except those given */
function fakeModel(stored: Record<number, Tick[]>): ReceiptModel & { asked: number[] } {
  const asked: number[] = [];
  return {
    id: 'fake',
    asked,
    async ticks(_db: ActionDb, conversation: { id: number }) {
      asked.push(conversation.id);
      const ticks = stored[conversation.id] ?? ['read', 'read', 'read'];
      return new Map(ticks.map((tick, i) => [i + 1, tick]));
    },
  } as unknown as ReceiptModel & { asked: number[] };
}

const db = {} as ActionDb;

describe('checkStoredTicks', () => {
  it('checks a seeded sample of an ordinary run, every conversation after a crash', async () => {
    const sampled = fakeModel({});
    expect(await checkStoredTicks(plan, sampled, db, { all: false, lossIsExpected: false })).toMatchObject({ conversations: CHECK_DEFAULTS.serverTickSample, checked: 900, lost: 0, mismatches: [] });
    const again = fakeModel({});
    await checkStoredTicks(plan, again, db, { all: false, lossIsExpected: false });
    expect(again.asked.sort()).toEqual(sampled.asked.sort());
    const all = fakeModel({});
    expect(await checkStoredTicks(plan, all, db, { all: true, lossIsExpected: false })).toMatchObject({ conversations: 400, checked: 1200, lost: 0 });
  });

  it('counts stored ticks below the plan as lost; a write-behind crash makes them its measured loss, not an inconsistency', async () => {
    const stored = { 7: ['read', 'delivered', 'sent'] as Tick[], 9: ['delivered', 'delivered', 'delivered'] as Tick[] };
    const through = await checkStoredTicks(plan, fakeModel(stored), db, { all: true, lossIsExpected: false });
    expect(through.lost).toBe(5);
    expect(through.mismatches).toHaveLength(5);
    expect(through.mismatches[0]).toBe('conversation 7 seq 2: stored state gives delivered, plan expects read');
    const behind = await checkStoredTicks(plan, fakeModel(stored), db, { all: true, lossIsExpected: true });
    expect(behind).toMatchObject({ lost: 5, mismatches: [] });
  });

  it('never excuses a stored state ahead of the plan or a message count that differs', async () => {
    const ahead = { ...plan, expected: plan.expected.map((e) => ({ ...e, tick: 'delivered' as const })) };
    const result = await checkStoredTicks(ahead, fakeModel({ 3: ['read', 'read'] }), db, { all: true, lossIsExpected: true });
    expect(result.lost).toBe(0);
    expect(result.mismatches).toContain('conversation 3: 2 messages stored, plan sent 3');
    expect(result.mismatches.length).toBe(1 + 1199);
  });
});
