// The same contract over every registered model: exact write counts, events, invariants, and
// the database's own tuple counters agreeing with the query layer.
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../reference-server/models/registry.ts';
import type { Population } from '../../reference-server/db/seed.ts';
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

const expected = {
  naive: { backlogWrites: BACKLOG, backlogEvents: BACKLOG, toggleWrites: TOGGLE_CONVERSATIONS, openLookups: 1 },
  watermark: { backlogWrites: 1, backlogEvents: 1, toggleWrites: 1, openLookups: 0 },
} as const;

describe.each(Object.keys(MODELS))('model %s', (modelId) => {
  const want = expected[modelId as keyof typeof expected];

  it('has expectations in this suite (a new model must add its own)', () => {
    expect(want).toBeDefined();
  });

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
    const afterDeliver = run.server.metrics();
    expect(afterDeliver.db.deliver?.rowsWritten).toBe(want.backlogWrites);
    expect(afterDeliver.pushes.deliver?.events).toBe(want.backlogEvents);

    bob.send({ type: 'read', conversationId: 100, upToSeq: BACKLOG });
    await bob.settle();
    const afterRead = run.server.metrics();
    expect(afterRead.db.read?.rowsWritten).toBe(want.backlogWrites);
    expect(afterRead.pushes.read?.events).toBe(want.backlogEvents);
    expect(before.db.read).toBeUndefined();
    // Alice now holds blue ticks for everything, whatever the model's frames looked like
    await alice.settle();
    const statusFrames = alice.frames.filter((frame) => frame.type === 'status' || frame.type === 'status_update');
    expect(statusFrames).toHaveLength(want.backlogEvents * 2);

    // a toggle in 7 conversations
    const carol = await run.connect(9);
    await carol.sync();
    carol.send({ type: 'set_settings', readReceipts: false });
    await carol.next('settings');
    expect(run.server.metrics().db.toggle?.rowsWritten).toBe(want.toggleWrites);

    // opening a chat with receipts off: naive looks the setting up and records nothing
    const carolsPeer = await run.connect(10);
    await carolsPeer.sync();
    await carolsPeer.sendMessage(300, 'to-carol');
    const lookupsBefore = run.server.metrics().db.open?.rowsRead ?? 0;
    // Bob's read above was an open too: naive looked his setting up once
    expect(lookupsBefore).toBe(want.openLookups);
    if (modelId === 'naive') {
      carol.send({ type: 'read', conversationId: 300, upToSeq: 1 });
      await carol.settle();
    }
    const afterOpen = run.server.metrics();
    expect((afterOpen.db.open?.rowsRead ?? 0) - lookupsBefore).toBe(want.openLookups);
    expect(afterOpen.db.read?.rowsWritten).toBe(want.backlogWrites);

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
    const written = run.server.metrics().db.read?.rowsWritten;
    carl.send({ type: 'read', conversationId: 101, upToSeq: 2 });
    carl.send({ type: 'delivered', conversationId: 101, upToSeq: 1 });
    carl.send({ type: 'read', conversationId: 101, upToSeq: 3 });
    await carl.settle();
    const metrics = run.server.metrics();
    expect(metrics.db.read?.rowsWritten).toBe(written);
    expect(metrics.db.deliver?.rowsWritten ?? 0).toBe(0);
    // a message sent after the clamped ack is not read
    await alice.sendMessage(101, 'c4');
    const { getModel } = await import('../../reference-server/models/registry.ts');
    const ticks = await getModel(modelId).ticks(run.database.setup.for('setup'), { id: 101, kind: 'direct', members: [1, 3] });
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
