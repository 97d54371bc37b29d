// Differential property test: random histories of sends and delivered/read acks (stale,
// duplicate, zero, past the end) applied to every model through its own methods on a real
// database, then every message's tick and "read by" compared with the pure reference model.
// Every registered model runs at its defaults and with each option at its minimum and maximum
// (hybrid's threshold moves groups between its stores; write-behind flushes after every ack or
// never). Marks, for conversations a model keeps as marks, are checked after every ack: read <=
// delivered, never backwards, and equal to the reference's.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { refusingStatements, type ActionDb } from '../../reference-server/db/query-layer.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase, type ModelDatabase } from '../../reference-server/instance.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { sendIsTransaction, standaloneContext, type ConversationMeta, type Marks, type ReceiptModel } from '../../reference-server/models/types.ts';
import type { Tick, WireMessage } from '../../reference-server/protocol.ts';
import { applyOp, initialState, referenceReadBy, referenceTicks, type ReferenceOp, type ReferenceState } from '../support/receipt-reference.ts';

const USERS = [1, 2, 3, 4, 5];
// CHATBENCH_DIFF_RUNS=1000 for a deeper hunt (after changing a model, or adding one)
const RUNS = Number(process.env.CHATBENCH_DIFF_RUNS ?? 40);
const MAX_OPS = 30;

interface Target {
  /** model id and the options that differ from its defaults */
  name: string;
  modelId: string;
  model: ReceiptModel;
  database: ModelDatabase;
  db: (action: 'send' | 'deliver' | 'read' | 'setup') => ActionDb;
}

const targets: Target[] = [];
let nextConversationId = 1;

/** defaults, then each option at its minimum and at its maximum (duplicates dropped) */
function variants(modelId: string): Record<string, number>[] {
  const defaults = defaultOptions(modelId);
  const all = [defaults];
  for (const [name, spec] of Object.entries(MODELS[modelId]!.options)) all.push({ ...defaults, [name]: spec.min }, { ...defaults, [name]: spec.max });
  return [...new Map(all.map((options) => [JSON.stringify(options), options])).values()];
}

beforeAll(async () => {
  for (const [id, definition] of Object.entries(MODELS)) {
    for (const options of variants(id)) {
      const database = await prepareModelDatabase(inject('pgAdminUrl'), definition);
      await seedPopulation(database.setup.for('setup'), { users: USERS, conversations: [] });
      const changed = Object.entries(options).filter(([name, value]) => defaultOptions(id)[name] !== value);
      targets.push({
        name: `${id}${changed.map(([name, value]) => ` ${name}=${value}`).join('')}`,
        modelId: id,
        model: definition.create(standaloneContext(database.setup, options)),
        database,
        db: (action) => database.setup.for(action),
      });
    }
  }
});

afterAll(async () => {
  for (const target of targets) {
    await target.model.close?.();
    await target.database.drop();
  }
});

/**
 * what the server's send handler does around the model: atomic seq, the row, then afterSend, in
 * one transaction only where the model says its afterSend writes; where it says not, afterSend
 * gets a handle that refuses statements, so every model's promise is checked here
 */
async function send(target: Target, conversation: ConversationMeta, senderId: number, tempId: string): Promise<number> {
  const store = async (tx: ActionDb) => {
    const { rows } = await tx.write<{ last_seq: string }>('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [conversation.id]);
    const message: WireMessage = { conversationId: conversation.id, seq: Number(rows[0]!.last_seq), senderId, tempId, body: 'b', sentAt: Date.now() };
    await tx.write('INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      message.conversationId,
      message.seq,
      message.senderId,
      message.tempId,
      message.body,
      message.sentAt,
    ]);
    return message;
  };
  if (sendIsTransaction(target.model, conversation)) {
    return target.db('send').transaction(async (tx) => {
      const message = await store(tx);
      await target.model.afterSend(tx, message, conversation);
      return message.seq;
    });
  }
  const message = await store(target.db('send'));
  await target.model.afterSend(refusingStatements(target.db('send'), `${target.model.id} said afterSend writes nothing`), message, conversation);
  return message.seq;
}

async function createConversation(target: Target, conversation: ConversationMeta): Promise<void> {
  const db = target.db('setup');
  await db.write('INSERT INTO conversations (id, kind) VALUES ($1, $2)', [conversation.id, conversation.kind]);
  await db.write('INSERT INTO members (conversation_id, user_id) SELECT $1, unnest($2::bigint[])', [conversation.id, conversation.members]);
}

type Watermarks = Map<number, Marks>;

/** marks invariants between two snapshots, and agreement with the reference marks */
function checkWatermarks(before: Watermarks, after: Watermarks, state: ReferenceState, context: string): void {
  for (const [userId, mark] of after) {
    expect(mark.r, `${context}: user ${userId} read <= delivered`).toBeLessThanOrEqual(mark.d);
    const previous = before.get(userId) ?? { d: 0, r: 0 };
    expect(mark.d, `${context}: user ${userId} delivered never backwards`).toBeGreaterThanOrEqual(previous.d);
    expect(mark.r, `${context}: user ${userId} read never backwards`).toBeGreaterThanOrEqual(previous.r);
  }
  for (const member of state.members) {
    const reference = state.marks.get(member)!;
    expect(after.get(member) ?? { d: 0, r: 0 }, `${context}: user ${member} marks`).toEqual({ d: reference.delivered, r: reference.read });
  }
}

/** an ack's upToSeq: absolute, or relative to the last seq when the ack is made (stale, exact, past the end) */
type UpTo = { abs: number } | { fromEnd: number };

interface History {
  kind: 'direct' | 'group';
  members: number[];
  /** `who` indexes members (mod their count), so shrinking never produces a non-member */
  ops: ({ op: 'send'; who: number } | { op: 'delivered' | 'read'; who: number; upTo: UpTo })[];
}

const upTo: fc.Arbitrary<UpTo> = fc.oneof(
  { arbitrary: fc.record({ fromEnd: fc.integer({ min: -4, max: 2 }) }), weight: 6 },
  { arbitrary: fc.record({ abs: fc.nat({ max: 15 }) }), weight: 3 },
  { arbitrary: fc.constant({ abs: 0 }), weight: 1 },
  // far past the end: clamped to the last seq
  { arbitrary: fc.constant({ abs: 2 ** 40 }), weight: 1 },
);

const opArbitrary = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('send' as const), who: fc.nat({ max: 4 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constantFrom('delivered' as const, 'read' as const), who: fc.nat({ max: 4 }), upTo }), weight: 3 },
);

// size 'max': fast-check's default keeps arrays short, and short histories rarely ack inside them
const ops = fc.array(opArbitrary, { minLength: 1, maxLength: MAX_OPS, size: 'max' });
const historyArbitrary: fc.Arbitrary<History> = fc.oneof(
  fc.record({ kind: fc.constant('direct' as const), members: fc.shuffledSubarray(USERS, { minLength: 2, maxLength: 2 }), ops }),
  fc.record({ kind: fc.constant('group' as const), members: fc.shuffledSubarray(USERS, { minLength: 2, maxLength: 5 }), ops }),
);

function toReferenceOp(history: History, op: History['ops'][number], lastSeq: number): ReferenceOp {
  const userId = history.members[op.who % history.members.length]!;
  if (op.op === 'send') return { op: 'send', sender: userId };
  return { op: op.op, userId, upToSeq: 'abs' in op.upTo ? op.upTo.abs : Math.max(0, lastSeq + op.upTo.fromEnd) };
}

/** applies one history to every model and checks each against the reference; throws on divergence */
async function checkHistory(history: History): Promise<void> {
  const conversation: ConversationMeta = { id: nextConversationId++, kind: history.kind, members: [...history.members].sort((a, b) => a - b) };
  const state = initialState(conversation.members);
  for (const target of targets) await createConversation(target, conversation);
  const previous = new Map<Target, Watermarks>(targets.map((target) => [target, new Map()]));
  for (const [index, raw] of history.ops.entries()) {
    const op = toReferenceOp(history, raw, state.lastSeq);
    const expectedSeq = applyOp(state, op);
    for (const target of targets) {
      if (op.op === 'send') {
        expect(await send(target, conversation, op.sender, `t${index}`)).toBe(expectedSeq);
        continue;
      }
      await target.model.acknowledge(target.db(op.op === 'read' ? 'read' : 'deliver'), { userId: op.userId, conversation, upToSeq: op.upToSeq, kind: op.op });
      const now = await target.model.marks?.(target.db('setup'), conversation);
      if (now) {
        checkWatermarks(previous.get(target)!, now, state, `${target.name} after op ${index} ${JSON.stringify(op)}`);
        previous.set(target, now);
      }
    }
  }
  const expected = referenceTicks(state);
  for (const target of targets) {
    const ticks = await target.model.ticks(target.db('setup'), conversation);
    const sorted = (map: Map<number, Tick>) => [...map].sort((a, b) => a[0] - b[0]);
    expect(sorted(ticks), `${target.name} ticks`).toEqual(sorted(expected));
    for (const seq of expected.keys()) {
      expect(await target.model.readBy(target.db('setup'), conversation, seq), `${target.name} read by of seq ${seq}`).toBe(referenceReadBy(state, seq));
    }
    // what the model buffers, once flushed, gives Postgres the same answers
    if (target.model.flush) {
      await target.model.flush();
      const reader = MODELS[target.modelId]!.create(standaloneContext(target.database.setup, defaultOptions(target.modelId)));
      expect(sorted(await reader.ticks(target.db('setup'), conversation)), `${target.name} ticks from Postgres after a flush`).toEqual(sorted(expected));
      await reader.close?.();
    }
  }
}

describe('models against the reference receipt semantics', () => {
  it('has every registered model under test', () => {
    expect([...new Set(targets.map((target) => target.modelId))].sort()).toEqual(Object.keys(MODELS).sort());
  });

  it(`derive the same tick and "read by" for every message of ${RUNS} random histories`, async () => {
    await fc.assert(fc.asyncProperty(historyArbitrary, checkHistory), { numRuns: RUNS });
  });

  // histories worth keeping as plain regressions, whatever the generator happens to draw
  it.each<[string, History]>([
    [
      'a read past the end does not cover messages sent after it (clamped at ack time)',
      { kind: 'direct', members: [1, 2], ops: [{ op: 'send', who: 0 }, { op: 'read', who: 1, upTo: { abs: 2 ** 40 } }, { op: 'send', who: 0 }] },
    ],
    [
      'a stale delivered after a read, and a zero ack, change nothing',
      {
        kind: 'group',
        members: [1, 2, 3],
        ops: [
          { op: 'send', who: 0 },
          { op: 'send', who: 1 },
          { op: 'read', who: 2, upTo: { abs: 2 } },
          { op: 'delivered', who: 2, upTo: { abs: 1 } },
          { op: 'read', who: 0, upTo: { abs: 0 } },
          { op: 'delivered', who: 0, upTo: { abs: 2 } },
          { op: 'read', who: 1, upTo: { abs: 1 } },
        ],
      },
    ],
    [
      "a member's own messages need only the others' marks",
      {
        kind: 'group',
        members: [1, 2, 3, 4, 5],
        ops: [
          { op: 'send', who: 4 },
          { op: 'read', who: 4, upTo: { abs: 1 } },
          { op: 'read', who: 0, upTo: { abs: 1 } },
          { op: 'read', who: 1, upTo: { abs: 1 } },
          { op: 'read', who: 2, upTo: { abs: 1 } },
          { op: 'delivered', who: 3, upTo: { abs: 1 } },
          { op: 'send', who: 0 },
          { op: 'read', who: 3, upTo: { abs: 2 } },
        ],
      },
    ],
  ])('%s', async (_name, history) => {
    await checkHistory(history);
  });
});
