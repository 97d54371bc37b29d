// Exact per-action counts for the models beyond the spec's two, at small sizes on real servers:
// hybrid costs what naive costs in direct chats and groups of at most `threshold` members and what
// watermark costs above it (every counter, action by action, equal); write-behind's flush writes
// one row per (user, conversation) whose marks moved since the last flush, in one statement.
import { describe, expect, it } from 'vitest';
import type { Population } from '../../reference-server/db/seed.ts';
import type { ConversationMeta } from '../../reference-server/models/types.ts';
import type { NodeMetricsSnapshot } from '../../reference-server/server.ts';
import { startTestServer, type RunningServer } from '../support/server.ts';

// the direct chat and the small group stay at or under hybrid's threshold (3); the big group is over it
const DIRECT: ConversationMeta = { id: 100, kind: 'direct', members: [1, 2] };
const SMALL: ConversationMeta = { id: 200, kind: 'group', members: [3, 4, 5] };
const BIG: ConversationMeta = { id: 300, kind: 'group', members: [6, 7, 8, 9, 10] };
const population: Population = { users: Array.from({ length: 10 }, (_, i) => i + 1), conversations: [DIRECT, SMALL, BIG] };
const THRESHOLD = 3;

type Counters = Record<string, { statements: number; rowsWritten: number; rowsRead: number; events: number; bytes: number }>;

function counters(snapshot: NodeMetricsSnapshot): Counters {
  const out: Counters = {};
  for (const action of new Set([...Object.keys(snapshot.db), ...Object.keys(snapshot.pushes)])) {
    const db = snapshot.db[action];
    const pushes = snapshot.pushes[action];
    out[action] = { statements: db?.statements ?? 0, rowsWritten: db?.rowsWritten ?? 0, rowsRead: db?.rowsRead ?? 0, events: pushes?.events ?? 0, bytes: pushes?.bytes ?? 0 };
  }
  return out;
}

function minus(after: Counters, before: Counters): Counters {
  const out: Counters = {};
  for (const [action, value] of Object.entries(after)) {
    const base = before[action] ?? { statements: 0, rowsWritten: 0, rowsRead: 0, events: 0, bytes: 0 };
    const delta = { statements: value.statements - base.statements, rowsWritten: value.rowsWritten - base.rowsWritten, rowsRead: value.rowsRead - base.rowsRead, events: value.events - base.events, bytes: value.bytes - base.bytes };
    if (Object.values(delta).some((n) => n !== 0)) out[action] = delta;
  }
  return out;
}

/**
 * One conversation's life: everyone logs in, the first member sends four messages and leaves, the
 * others ack delivery and reads (cumulative, one stale), the sender comes back and catches up,
 * then asks "read by". Returns what it cost, action by action, and the "read by" answer.
 */
async function life(run: RunningServer, conversation: ConversationMeta): Promise<{ cost: Counters; readBy: number }> {
  const before = counters(run.server.metrics());
  const [senderId, ...others] = conversation.members;
  const sender = await run.connect(senderId!);
  const { statusCursor } = await sender.sync();
  const readers = [];
  for (const id of others) {
    const client = await run.connect(id);
    await client.sync();
    readers.push(client);
  }
  for (let i = 1; i <= 4; i++) await sender.sendMessage(conversation.id, `m${i}`);
  await sender.settle();
  sender.close();
  await sender.waitClosed();
  for (const [index, reader] of readers.entries()) {
    reader.send({ type: 'delivered', conversationId: conversation.id, upToSeq: 2 });
    reader.send({ type: 'delivered', conversationId: conversation.id, upToSeq: 4 });
    // the last reader stops at 3: the sender ends with a mix of read and delivered ticks
    reader.send({ type: 'read', conversationId: conversation.id, upToSeq: index === readers.length - 1 ? 3 : 4 });
    reader.send({ type: 'read', conversationId: conversation.id, upToSeq: 1 });
    await reader.settle();
  }
  const back = await run.connect(senderId!);
  await back.sync({ statusCursor, lastSeqs: { [conversation.id]: 4 } });
  back.send({ type: 'read_by', conversationId: conversation.id, seq: 4 });
  const answer = await back.next('read_by');
  await run.server.drain();
  // receipts only: where the read-receipts setting lives (naive looks it up per read, hybrid keeps
  // it per user) is not what the threshold switches
  const { open: _setting, ...cost } = minus(counters(run.server.metrics()), before);
  return { cost, readBy: answer.readBy };
}

describe('hybrid against naive and watermark', () => {
  it(`costs exactly what naive costs in a direct chat and a group of ${THRESHOLD}, and what watermark costs in a group of 5`, async () => {
    const [naive, watermark, hybrid] = await Promise.all([
      startTestServer('naive', population),
      startTestServer('watermark', population),
      startTestServer('hybrid', population, { modelOptions: { threshold: THRESHOLD } }),
    ]);
    for (const [conversation, like] of [[DIRECT, naive], [SMALL, naive], [BIG, watermark]] as const) {
      const other = like === naive ? watermark : naive;
      const expected = await life(like, conversation);
      const otherModel = await life(other, conversation);
      const got = await life(hybrid, conversation);
      expect(got, `conversation ${conversation.id}`).toEqual(expected);
      // the two stores really differ here, so equality above says which one hybrid used
      expect(otherModel.cost, `conversation ${conversation.id}`).not.toEqual(expected.cost);
      expect(got.readBy).toBe(conversation.members.length - 2);
    }
    for (const conversation of [DIRECT, SMALL, BIG]) {
      expect(await hybrid.storedTicks(conversation)).toEqual(await naive.storedTicks(conversation));
    }
    for (const run of [naive, watermark, hybrid]) {
      const truth = await run.finish();
      expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
    }
  });

  it('counts naive rows at send in a group at the threshold and none above it', async () => {
    const hybrid = await startTestServer('hybrid', population, { modelOptions: { threshold: THRESHOLD } });
    for (const [conversation, rows] of [[SMALL, 2 + (SMALL.members.length - 1)], [BIG, 2]] as const) {
      const before = hybrid.server.metrics().db.send?.rowsWritten ?? 0;
      const sender = await hybrid.connect(conversation.members[0]!);
      await sender.sync();
      await sender.sendMessage(conversation.id, 'one');
      // the message, the sequence, and a receipt row per recipient only where receipts are per message
      expect((hybrid.server.metrics().db.send?.rowsWritten ?? 0) - before).toBe(rows);
    }
  });
});

describe('write-behind flushes', () => {
  // no timer flush during the test: each window ends with an explicit drain
  const options = { modelOptions: { flushMs: 600_000 } };

  it('writes, per flush, one row per (user, conversation) whose marks moved since the last flush, in one statement', async () => {
    const run = await startTestServer('write-behind', population, options);
    const sender = await run.connect(6);
    await sender.sync();
    for (let i = 1; i <= 5; i++) await sender.sendMessage(BIG.id, `b${i}`);
    const direct = await run.connect(1);
    await direct.sync();
    for (let i = 1; i <= 3; i++) await direct.sendMessage(DIRECT.id, `d${i}`);
    const readers = await Promise.all([7, 8, 9, 2].map(async (id) => {
      const client = await run.connect(id);
      await client.sync();
      return client;
    }));
    const [seven, eight, nine, two] = readers as [typeof readers[0], typeof readers[0], typeof readers[0], typeof readers[0]];
    const flush = () => run.server.metrics().db.flush ?? { statements: 0, rowsWritten: 0, rowsRead: 0 };
    const flushes = () => run.server.metrics().actions.flush ?? 0;

    // window 1: 7 acks three times (one mark), 8 twice, 2 once in the direct chat: 3 marks moved
    seven.send({ type: 'delivered', conversationId: BIG.id, upToSeq: 2 });
    seven.send({ type: 'delivered', conversationId: BIG.id, upToSeq: 5 });
    seven.send({ type: 'read', conversationId: BIG.id, upToSeq: 4 });
    eight.send({ type: 'delivered', conversationId: BIG.id, upToSeq: 5 });
    eight.send({ type: 'read', conversationId: BIG.id, upToSeq: 5 });
    two.send({ type: 'read', conversationId: DIRECT.id, upToSeq: 3 });
    await Promise.all(readers.map((client) => client.settle()));
    expect(run.server.metrics().pending).toEqual({ marks: 3, receipts: 5 + 5 + 3 });
    expect(flush().rowsWritten).toBe(0);
    await run.server.drain();
    expect(flush()).toMatchObject({ statements: 1, rowsWritten: 3 });
    expect(flushes()).toBe(1);
    expect(run.server.metrics().pending).toEqual({ marks: 0, receipts: 0 });

    // window 2: stale and repeated acks only: nothing moved, so no flush at all
    seven.send({ type: 'read', conversationId: BIG.id, upToSeq: 3 });
    eight.send({ type: 'delivered', conversationId: BIG.id, upToSeq: 5 });
    two.send({ type: 'read', conversationId: DIRECT.id, upToSeq: 99 });
    await Promise.all(readers.map((client) => client.settle()));
    await run.server.drain();
    expect(flush()).toMatchObject({ statements: 1, rowsWritten: 3 });
    expect(flushes()).toBe(1);

    // window 3: 7 moves again, 9 for the first time (twice): 2 marks
    seven.send({ type: 'read', conversationId: BIG.id, upToSeq: 5 });
    nine.send({ type: 'delivered', conversationId: BIG.id, upToSeq: 3 });
    nine.send({ type: 'read', conversationId: BIG.id, upToSeq: 3 });
    await Promise.all(readers.map((client) => client.settle()));
    await run.server.drain();
    expect(flush()).toMatchObject({ statements: 2, rowsWritten: 5 });
    expect(flushes()).toBe(2);
    // acks themselves wrote nothing: everything reached Postgres through the two flushes
    expect(run.server.metrics().db.deliver?.rowsWritten ?? 0).toBe(0);
    expect(run.server.metrics().db.read?.rowsWritten ?? 0).toBe(0);

    // what Postgres now holds is what the acks said
    const marks = await run.database.pool.query<{ user_id: string; d: string; r: string }>(
      'SELECT user_id, last_delivered_seq AS d, last_read_seq AS r FROM message_status ORDER BY conversation_id, user_id',
    );
    expect(marks.rows.map((row) => [Number(row.user_id), Number(row.d), Number(row.r)])).toEqual([
      [2, 3, 3],
      [7, 5, 5],
      [8, 5, 5],
      [9, 3, 3],
    ]);
    const truth = await run.finish();
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });

  it('flushes on its own every flushMs', async () => {
    const run = await startTestServer('write-behind', population, { modelOptions: { flushMs: 50 } });
    const sender = await run.connect(1);
    await sender.sync();
    await sender.sendMessage(DIRECT.id, 'x');
    const reader = await run.connect(2);
    await reader.sync();
    reader.send({ type: 'read', conversationId: DIRECT.id, upToSeq: 1 });
    await reader.settle();
    // generous for a loaded machine: the timer fires every 50 ms
    const deadline = Date.now() + 10_000;
    while ((run.server.metrics().db.flush?.statements ?? 0) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run.server.metrics().db.flush).toMatchObject({ statements: 1, rowsWritten: 1 });
    expect(run.server.metrics().actions.flush).toBe(1);
    const truth = await run.finish();
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });

  it('drains on POST /drain, as a run engine on another machine (k6 coordinate) asks it to', async () => {
    const run = await startTestServer('write-behind', population, options);
    const sender = await run.connect(1);
    await sender.sync();
    await sender.sendMessage(DIRECT.id, 'x');
    const reader = await run.connect(2);
    await reader.sync();
    reader.send({ type: 'read', conversationId: DIRECT.id, upToSeq: 1 });
    await reader.settle();
    expect(run.server.metrics().db.flush).toBeUndefined();
    const response = await fetch(`http://127.0.0.1:${run.server.port}/drain`, { method: 'POST' });
    expect(response.status).toBe(204);
    expect(run.server.metrics().db.flush).toMatchObject({ statements: 1, rowsWritten: 1 });
    // a model that buffers nothing drains as a no-op
    const naive = await startTestServer('naive', population);
    expect((await fetch(`http://127.0.0.1:${naive.server.port}/drain`, { method: 'POST' })).status).toBe(204);
  });

  it('writes what it still buffers when the server stops gracefully (only a crash loses the window)', async () => {
    const run = await startTestServer('write-behind', population, options);
    const sender = await run.connect(1);
    await sender.sync();
    await sender.sendMessage(DIRECT.id, 'x');
    const reader = await run.connect(2);
    await reader.sync();
    reader.send({ type: 'read', conversationId: DIRECT.id, upToSeq: 1 });
    await reader.settle();
    expect(run.server.metrics().pending).toEqual({ marks: 1, receipts: 1 });
    await run.server.close();
    const stored = await run.database.pool.query('SELECT user_id, last_read_seq FROM message_status');
    expect(stored.rows).toEqual([{ user_id: '2', last_read_seq: '1' }]);
  });
});
