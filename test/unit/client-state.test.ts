// The client's tick derivation, on hand-built frame sequences: naive per-message status frames
// and watermark status_update frames must lead to the same ticks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClientState, messageBody, scheduledAtOf } from '../../drivers/client-state.ts';
import type { ServerFrame } from '../../reference-server/protocol.ts';

const ME = 1;
const direct: ServerFrame = { type: 'conversations', items: [{ id: 10, kind: 'direct', members: 2, lastSeq: 0 }] };
const group: ServerFrame = { type: 'conversations', items: [{ id: 20, kind: 'group', members: 4, lastSeq: 0 }] };

function withOwn(frame: ServerFrame, conversationId: number, seqs: number[]): ClientState {
  const state = new ClientState(ME);
  state.apply(frame);
  for (const seq of seqs) state.ownSent(conversationId, seq, 0);
  return state;
}

describe('ClientState ticks', () => {
  it('derives the same 1:1 ticks from naive status frames and from one watermark update', () => {
    const naive = withOwn(direct, 10, [1, 2, 3]);
    for (const seq of [1, 2, 3]) naive.apply({ type: 'status', conversationId: 10, seq, userId: 2, status: 'delivered' });
    naive.apply({ type: 'status', conversationId: 10, seq: 1, userId: 2, status: 'read' });
    const watermark = withOwn(direct, 10, [1, 2, 3]);
    watermark.apply({ type: 'status_update', conversationId: 10, userId: 2, lastDeliveredSeq: 3, lastReadSeq: 1 });
    for (const state of [naive, watermark]) expect([1, 2, 3].map((seq) => state.tick(10, seq))).toEqual(['read', 'delivered', 'delivered']);
  });

  it('never moves a tick backwards on a stale frame', () => {
    const state = withOwn(direct, 10, [1, 2]);
    state.apply({ type: 'status_update', conversationId: 10, userId: 2, lastDeliveredSeq: 2, lastReadSeq: 2 });
    state.apply({ type: 'status_update', conversationId: 10, userId: 2, lastDeliveredSeq: 1, lastReadSeq: 0 });
    state.apply({ type: 'status', conversationId: 10, seq: 2, userId: 2, status: 'delivered' });
    expect([state.tick(10, 1), state.tick(10, 2)]).toEqual(['read', 'read']);
  });

  it('needs every group recipient for a tick, and takes a reconnect floor for all of them', () => {
    const state = withOwn(group, 20, [5]);
    state.apply({ type: 'status_update', conversationId: 20, userId: 2, lastDeliveredSeq: 5, lastReadSeq: 5 });
    state.apply({ type: 'status_update', conversationId: 20, userId: 3, lastDeliveredSeq: 5, lastReadSeq: 5 });
    expect(state.tick(20, 5)).toBe('sent');
    state.apply({ type: 'status_update', conversationId: 20, userId: 4, lastDeliveredSeq: 5, lastReadSeq: 4 });
    expect(state.tick(20, 5)).toBe('delivered');
    const floor = withOwn(group, 20, [5, 6]);
    floor.apply({ type: 'status_update', conversationId: 20, lastDeliveredSeq: 6, lastReadSeq: 5 });
    expect([floor.tick(20, 5), floor.tick(20, 6)]).toEqual(['read', 'delivered']);
  });

  it('acks delivery cumulatively, never past a gap, and counts a repeated message as a duplicate', () => {
    const state = new ClientState(ME);
    state.apply(direct);
    const msg = (seq: number): ServerFrame => ({ type: 'msg', conversationId: 10, seq, senderId: 2, tempId: `t${seq}`, body: messageBody(1000), sentAt: 0 });
    expect(state.apply(msg(1)).replies).toEqual([{ type: 'delivered', conversationId: 10, upToSeq: 1 }]);
    expect(state.apply(msg(3)).replies).toEqual([]);
    expect(state.apply(msg(2)).replies).toEqual([{ type: 'delivered', conversationId: 10, upToSeq: 3 }]);
    const again = state.apply(msg(2));
    expect(again.duplicates).toBe(1);
    expect(again.replies).toEqual([]);
    expect(state.apply(msg(4)).delivered).toEqual([{ conversationId: 10, seq: 4, scheduledAt: 1000 }]);
  });

  it('takes a sync batch as one delivery ack up to its last seq', () => {
    const state = new ClientState(ME);
    state.apply(direct);
    const messages = [1, 2, 3].map((seq) => ({ conversationId: 10, seq, senderId: 2, tempId: `t${seq}`, body: 'x', sentAt: 0 }));
    expect(state.apply({ type: 'sync_batch', conversationId: 10, messages }).replies).toEqual([{ type: 'delivered', conversationId: 10, upToSeq: 3 }]);
    expect(state.lastSeqs()).toEqual({ '10': 3 });
  });

  it('opens a chat with one read ack, none when nothing is new, none when a cached setting says off', () => {
    const state = new ClientState(ME);
    state.apply(direct);
    state.apply({ type: 'sync_batch', conversationId: 10, messages: [{ conversationId: 10, seq: 1, senderId: 2, tempId: 'a', body: 'x', sentAt: 0 }] });
    expect(state.open(10, true)).toEqual({ type: 'read', conversationId: 10, upToSeq: 1 });
    expect(state.open(10, true)).toBeUndefined();
    state.apply({ type: 'sync_batch', conversationId: 10, messages: [{ conversationId: 10, seq: 2, senderId: 2, tempId: 'b', body: 'x', sentAt: 0 }] });
    state.apply({ type: 'settings', readReceipts: false });
    expect(state.open(10, true)).toBeUndefined();
    // a client without a settings cache sends it anyway: the server decides
    expect(state.open(10, false)).toEqual({ type: 'read', conversationId: 10, upToSeq: 2 });
  });

  it('sends no delivery ack behind a read: an own ack moves what is held, a read covers it, an out-of-order message follows', () => {
    // the group-1000 sequence behind a watermark ack that moved no mark: user 1 holds 1 (acked),
    // its own message 2 is acked, it reads through 2 (the server moves its delivered mark to 2),
    // then message 4 arrives before 3
    const state = new ClientState(ME);
    state.apply(group);
    const msg = (seq: number): ServerFrame => ({ type: 'msg', conversationId: 20, seq, senderId: 2, tempId: `t${seq}`, body: 'x', sentAt: 0 });
    expect(state.apply(msg(1)).replies).toEqual([{ type: 'delivered', conversationId: 20, upToSeq: 1 }]);
    state.ownSent(20, 2, 0);
    expect(state.open(20, true)).toEqual({ type: 'read', conversationId: 20, upToSeq: 2 });
    expect(state.apply(msg(4)).replies).toEqual([]);
    expect(state.apply(msg(3)).replies).toEqual([{ type: 'delivered', conversationId: 20, upToSeq: 4 }]);
  });

  it('every delivery ack moves past every delivery and read ack sent before it, in any arrival order', () => {
    // the server keeps a delivered mark that delivery and read acks both raise (a read implies
    // delivery); an ack at or below it writes nothing, which the exact per-ack figures count
    const event = fc.oneof(
      fc.record({ kind: fc.constant('msg' as const), seq: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('own' as const), seq: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('open' as const) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const state = new ClientState(ME);
        state.apply(group);
        let serverDelivered = 0;
        const own = new Set<number>();
        for (const step of events) {
          if (step.kind === 'open') {
            const read = state.open(20, true);
            if (read?.type === 'read') serverDelivered = Math.max(serverDelivered, read.upToSeq);
          } else if (step.kind === 'own') {
            // a seq is either the user's own or someone else's, never both
            if (own.has(step.seq) || state.conversation(20)!.held.has(step.seq) || step.seq <= state.conversation(20)!.heldThrough) continue;
            own.add(step.seq);
            state.ownSent(20, step.seq, 0);
          } else {
            if (own.has(step.seq)) continue;
            for (const reply of state.apply({ type: 'msg', conversationId: 20, seq: step.seq, senderId: 2, tempId: 't', body: 'x', sentAt: 0 }).replies) {
              if (reply.type !== 'delivered') continue;
              if (reply.upToSeq <= serverDelivered) return false;
              serverDelivered = reply.upToSeq;
            }
          }
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('restores a device offline as a login before any status change, then holding its own messages, leaves it', () => {
    const restored = new ClientState(ME);
    restored.restore([{ id: 10, kind: 'direct', members: 2, own: 3 }, { id: 20, kind: 'group', members: 4, own: 0 }]);
    const loggedIn = new ClientState(ME);
    loggedIn.apply({ type: 'conversations', items: [{ id: 10, kind: 'direct', members: 2, lastSeq: 0 }, { id: 20, kind: 'group', members: 4, lastSeq: 0 }] });
    loggedIn.apply({ type: 'synced', statusCursor: 0 });
    for (const seq of [1, 2, 3]) loggedIn.ownSent(10, seq, Number.NaN);
    loggedIn.synced = false;
    for (const state of [restored, loggedIn]) {
      expect({ cursor: state.statusCursor, lastSeqs: state.lastSeqs(), own: [...state.conversation(10)!.own.keys()], synced: state.synced }).toEqual({
        cursor: 0,
        lastSeqs: { '10': 3, '20': 0 },
        own: [1, 2, 3],
        synced: false,
      });
    }
  });

  it('reports how far a reader has read the own messages, from either model', () => {
    const naive = withOwn(direct, 10, [1, 2, 4]);
    naive.apply({ type: 'status', conversationId: 10, seq: 1, userId: 2, status: 'read' });
    naive.apply({ type: 'status', conversationId: 10, seq: 2, userId: 2, status: 'read' });
    expect(naive.readThrough(10, 2)).toBe(2);
    const watermark = withOwn(direct, 10, [1, 2, 4]);
    watermark.apply({ type: 'status_update', conversationId: 10, userId: 2, lastDeliveredSeq: 4, lastReadSeq: 3 });
    expect(watermark.readThrough(10, 2)).toBe(3);
    expect(watermark.allOwnAtLeast('read')).toBe(false);
    expect(watermark.allOwnAtLeast('delivered')).toBe(true);
  });
});

describe('scheduledAtOf', () => {
  // the expression it replaced on the hot path, kept here as its specification
  const byExpression = (body: string) => {
    const match = /^\{"s":([0-9.]+)\}$/.exec(body);
    return match ? Number(match[1]) : Number.NaN;
  };

  it('reads back what messageBody wrote', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 4e12, noNaN: true }), (at) => {
        expect(scheduledAtOf(messageBody(at))).toBe(byExpression(messageBody(at)));
      }),
    );
    expect(scheduledAtOf(messageBody(1_764_000_000_123.5))).toBe(1_764_000_000_123.5);
  });

  it('agrees with the regular expression on any other body', () => {
    for (const body of ['', '{"s":}', '{"s":1', '"s":1}', '{"s":1.2.3}', '{"s":-1}', '{"s":1e3}', ' {"s":1}', '{"s":.}', '{"t":1}', 'hello']) {
      expect(Object.is(scheduledAtOf(body), byExpression(body))).toBe(true);
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', '"', 's', ':', '1', '.', '9', ' ') }), (body) => {
        expect(Object.is(scheduledAtOf(body), byExpression(body))).toBe(true);
      }),
    );
  });
});
