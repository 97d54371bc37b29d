// Pins down the pure reference the differential test holds both models to.
import { describe, expect, it } from 'vitest';
import { applyOp, initialState, referenceReadBy, referenceTicks } from '../support/receipt-reference.ts';

describe('receipt reference model', () => {
  it('clamps an ack to the last seq at ack time, so later messages are not covered', () => {
    const state = initialState([1, 2]);
    applyOp(state, { op: 'send', sender: 1 });
    applyOp(state, { op: 'read', userId: 2, upToSeq: 99 });
    applyOp(state, { op: 'send', sender: 1 });
    expect([...referenceTicks(state)]).toEqual([
      [1, 'read'],
      [2, 'sent'],
    ]);
  });

  it('treats a read as delivery, and stale or zero acks as no-ops', () => {
    const state = initialState([1, 2]);
    for (let i = 0; i < 3; i++) applyOp(state, { op: 'send', sender: 1 });
    applyOp(state, { op: 'read', userId: 2, upToSeq: 1 });
    applyOp(state, { op: 'delivered', userId: 2, upToSeq: 2 });
    applyOp(state, { op: 'delivered', userId: 2, upToSeq: 1 });
    applyOp(state, { op: 'read', userId: 2, upToSeq: 0 });
    expect(state.marks.get(2)).toEqual({ delivered: 2, read: 1 });
    expect([...referenceTicks(state)]).toEqual([
      [1, 'read'],
      [2, 'delivered'],
      [3, 'sent'],
    ]);
  });

  it('needs every non-sender member of a group, and ignores the sender\'s own marks', () => {
    const state = initialState([1, 2, 3]);
    applyOp(state, { op: 'send', sender: 2 });
    applyOp(state, { op: 'read', userId: 1, upToSeq: 1 });
    expect(referenceTicks(state).get(1)).toBe('sent');
    applyOp(state, { op: 'delivered', userId: 3, upToSeq: 1 });
    expect(referenceTicks(state).get(1)).toBe('delivered');
    expect(referenceReadBy(state, 1)).toBe(1);
    applyOp(state, { op: 'read', userId: 3, upToSeq: 5 });
    expect(referenceTicks(state).get(1)).toBe('read');
    expect(referenceReadBy(state, 1)).toBe(2);
  });
});
