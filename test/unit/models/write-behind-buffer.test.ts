// write-behind's in-memory read states: marks coalesce per (user, conversation), a flush hands
// them over while they stay readable, a failed flush keeps them, and the crash window counts the
// messages the marks move past what Postgres held.
import { describe, expect, it } from 'vitest';
import { ReadStateBuffer, receiptsAhead, type BufferedMarks } from '../../../reference-server/models/write-behind/buffer.ts';

const entry = (userId: number, conversationId: number, d: number, r: number, base = { d: 0, r: 0 }, version = 1): BufferedMarks => ({ userId, conversationId, d, r, base, version });

describe('receiptsAhead', () => {
  it.each([
    [entry(1, 1, 5, 0), 5],
    [entry(1, 1, 5, 5), 5],
    [entry(1, 1, 5, 3, { d: 2, r: 0 }), 5],
    [entry(1, 1, 9, 9, { d: 6, r: 4 }), 5],
    [entry(1, 1, 3, 3, { d: 3, r: 3 }), 0],
  ])('%o is %i messages ahead', (marks, ahead) => {
    expect(receiptsAhead(marks)).toBe(ahead);
  });
});

describe('ReadStateBuffer', () => {
  it('keeps one entry per (user, conversation): the highest marks, the newest version, the earliest base', () => {
    const buffer = new ReadStateBuffer();
    buffer.put(entry(1, 10, 3, 0, { d: 1, r: 0 }, 5));
    buffer.put(entry(1, 10, 4, 2, { d: 2, r: 0 }, 7));
    buffer.put(entry(2, 10, 1, 1));
    expect(buffer.size).toBe(2);
    expect(buffer.get(1, 10)).toEqual({ d: 4, r: 2 });
    expect(buffer.entries((e) => e.userId === 1)).toEqual([entry(1, 10, 4, 2, { d: 1, r: 0 }, 7)]);
    expect(buffer.window()).toEqual({ marks: 2, receipts: 4 + 1 });
  });

  it('hands pending entries to a flush; they stay readable until written, and new ones start a new window', () => {
    const buffer = new ReadStateBuffer();
    buffer.put(entry(1, 10, 3, 3));
    expect(buffer.beginFlush()).toEqual([entry(1, 10, 3, 3)]);
    expect(buffer.size).toBe(0);
    expect(buffer.get(1, 10)).toEqual({ d: 3, r: 3 });
    buffer.put(entry(1, 10, 5, 3, { d: 3, r: 3 }));
    expect(buffer.entries()).toEqual([entry(1, 10, 5, 3, { d: 0, r: 0 })]);
    expect(buffer.window()).toEqual({ marks: 1, receipts: 5 });
    buffer.flushed();
    expect(buffer.get(1, 10)).toEqual({ d: 5, r: 3 });
    expect(buffer.window()).toEqual({ marks: 1, receipts: 2 });
  });

  it('puts a failed flush back, merged with what arrived meanwhile', () => {
    const buffer = new ReadStateBuffer();
    buffer.put(entry(1, 10, 3, 1));
    buffer.beginFlush();
    buffer.put(entry(1, 10, 2, 2));
    buffer.failed();
    expect(buffer.size).toBe(1);
    expect(buffer.get(1, 10)).toEqual({ d: 3, r: 2 });
    expect(buffer.beginFlush()).toEqual([entry(1, 10, 3, 2)]);
  });
});
