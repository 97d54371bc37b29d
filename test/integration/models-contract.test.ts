// The same contract over every registered model: exact write counts, events, invariants, and
// the database's own tuple counters agreeing with the query layer. What a model should cost is
// derived from the traits it declares (how a conversation's receipts are stored, when acks reach
// Postgres, where the setting lives), so a new model needs no line here.
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../reference-server/models/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import type { Population } from '../../reference-server/db/seed.ts';
import type { ChatServer } from '../../reference-server/server.ts';
import { startTestServer } from '../support/server.ts';

const BACKLOG = 12;
const TOGGLE_CONVERSATIONS = 7;

// users 1..5; 100 = direct(1,2); 101 = direct(1,3); 200 = group(1..5); user 9 is in 7 directs with 10..16
const population: Population = {
  users: [1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 15, 16],
  conversations: [
    { id: 100, kind: 'direct', members: [1, 2] },
    { id: 101, kind: 'direct', members: [1, 3] },
    { id: 200, kind: 'group', members: [1, 2, 3, 4, 5] },
    ...Array.from({ length: TOGGLE_CONVERSATIONS }, (_, i) => ({ id: 300 + i, kind: 'direct' as const, members: [9, 10 + i] })),
  ],
};

/** rows an action wrote that reached Postgres: its own, plus what flushes wrote for it once drained */
async function rowsReached(server: ChatServer, action: string): Promise<{ atAck: number; flushed: number }> {
  await server.drain();
  const metrics = server.metrics();
  return { atAck: metrics.db[action]?.rowsWritten ?? 0, flushed: metrics.db.flush?.rowsWritten ?? 0 };
}

describe.each(Object.keys(MODELS))('model %s', (modelId) => {
  const traits = MODELS[modelId]!.traits(defaultOptions(modelId));
  const writeThrough = traits.durability === 'write-through';
  // a cumulative ack over n messages of a direct chat: rows that must reach Postgres, events to the sender
  const ackCost = (messages: number) => (traits.receipts({ kind: 'direct', members: 2 }) === 'per-message' ? messages : 1);
  const toggleWrites = traits.settings === 'per-membership' ? TOGGLE_CONVERSATIONS : 1;
  const openLookups = traits.settings === 'per-membership' ? 1 : 0;

  it('counts exact writes and events for a backlog, a toggle and an open, and agrees with the database', async () => {
    const run = await startTestServer(modelId, population);
    const alice = await run.connect(1);
    await alice.sync();
    for (let i = 1; i <= BACKLOG; i++) expect((await alice.sendMessage(100, `m${i}`)).seq).toBe(i);

    // Bob was away: the backlog arrives as one batch, he acks delivery once, then reads once
    const bob = await run.connect(2);
    await bob.sync();
    const batch = await bob.next('sync_batch', (frame) => frame.conversationId === 100);
    expect(batch.messages.map((message) => message.seq)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));
    const before = run.server.metrics();
    bob.send({ type: 'delivered', conversationId: 100, upToSeq: BACKLOG });
    await bob.settle();
    // a write-behind model writes nothing at the ack: its flush writes the one mark that moved
    expect(await rowsReached(run.server, 'deliver')).toEqual(writeThrough ? { atAck: ackCost(BACKLOG), flushed: 0 } : { atAck: 0, flushed: 1 });
    expect(run.server.metrics().pushes.deliver?.events).toBe(ackCost(BACKLOG));

    bob.send({ type: 'read', conversationId: 100, upToSeq: BACKLOG });
    await bob.settle();
    expect(await rowsReached(run.server, 'read')).toEqual(writeThrough ? { atAck: ackCost(BACKLOG), flushed: 0 } : { atAck: 0, flushed: 2 });
    expect(run.server.metrics().pushes.read?.events).toBe(ackCost(BACKLOG));
    expect(before.db.read).toBeUndefined();
    // Alice now holds blue ticks for everything, whatever the model's frames looked like
    await alice.settle();
    const statusFrames = alice.frames.filter((frame) => frame.type === 'status' || frame.type === 'status_update');
    expect(statusFrames).toHaveLength(ackCost(BACKLOG) * 2);

    // a toggle in 7 conversations
    const carol = await run.connect(9);
    await carol.sync();
    carol.send({ type: 'set_settings', readReceipts: false });
    await carol.next('settings');
    expect(run.server.metrics().db.toggle?.rowsWritten).toBe(toggleWrites);

    // opening a chat with receipts off: a server that keeps the setting per membership looks it up
    // and records nothing; a client that caches its setting sends no read at all
    const carolsPeer = await run.connect(10);
    await carolsPeer.sync();
    await carolsPeer.sendMessage(300, 'to-carol');
    const lookupsBefore = run.server.metrics().db.open?.rowsRead ?? 0;
    // Bob's read above was an open too
    expect(lookupsBefore).toBe(openLookups);
    if (!MODELS[modelId]!.client.cachesSettings) {
      carol.send({ type: 'read', conversationId: 300, upToSeq: 1 });
      await carol.settle();
    }
    const afterOpen = run.server.metrics();
    expect((afterOpen.db.open?.rowsRead ?? 0) - lookupsBefore).toBe(openLookups);
    expect(await rowsReached(run.server, 'read')).toEqual(writeThrough ? { atAck: ackCost(BACKLOG), flushed: 0 } : { atAck: 0, flushed: 2 });

    const truth = await run.finish();
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });

  it('deduplicates a resent tempId: the first ack again, never a second row', async () => {
    const run = await startTestServer(modelId, population);
    const alice = await run.connect(1);
    await alice.sync();
    const first = await alice.sendMessage(101, 'same');
    const again = await alice.sendMessage(101, 'same');
    expect(again).toMatchObject({ seq: first.seq, duplicate: true });
    const other = await alice.sendMessage(101, 'other');
    expect(other.seq).toBe(first.seq + 1);
    const truth = await run.finish();
    expect(truth.tables.messages?.ins).toBe(2);
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });

  it('keeps acks monotonic: stale and repeated acks change nothing, acks past the end are clamped', async () => {
    const run = await startTestServer(modelId, population);
    const alice = await run.connect(1);
    await alice.sync();
    for (let i = 1; i <= 3; i++) await alice.sendMessage(101, `c${i}`);
    const carl = await run.connect(3);
    await carl.sync();
    carl.send({ type: 'read', conversationId: 101, upToSeq: 99 });
    await carl.settle();
    const written = await rowsReached(run.server, 'read');
    const events = run.server.metrics().pushes.read?.events;
    carl.send({ type: 'read', conversationId: 101, upToSeq: 2 });
    carl.send({ type: 'delivered', conversationId: 101, upToSeq: 1 });
    carl.send({ type: 'read', conversationId: 101, upToSeq: 3 });
    await carl.settle();
    expect(await rowsReached(run.server, 'read')).toEqual(written);
    expect(run.server.metrics().db.deliver?.rowsWritten ?? 0).toBe(0);
    expect(run.server.metrics().pushes.read?.events).toBe(events);
    // a message sent after the clamped ack is not read
    await alice.sendMessage(101, 'c4');
    const ticks = await run.storedTicks({ id: 101, kind: 'direct', members: [1, 3] });
    expect([...ticks.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 'read'],
      [2, 'read'],
      [3, 'read'],
      [4, 'sent'],
    ]);
  });

  it('answers "read by X of Y" in a group', async () => {
    const run = await startTestServer(modelId, population);
    const alice = await run.connect(1);
    await alice.sync();
    await alice.sendMessage(200, 'g1');
    for (const member of [2, 3]) {
      const client = await run.connect(member);
      await client.sync();
      client.send({ type: 'read', conversationId: 200, upToSeq: 1 });
      await client.settle();
    }
    alice.send({ type: 'read_by', conversationId: 200, seq: 1 });
    expect(await alice.next('read_by')).toMatchObject({ readBy: 2, of: 4 });
    const truth = await run.finish();
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });
});
