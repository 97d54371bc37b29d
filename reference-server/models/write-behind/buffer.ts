// The node's in-memory read states: per (user, conversation), the marks acknowledged but not yet
// written to Postgres. Pure (no IO), so the coalescing and the crash window are unit-tested.
import type { Marks } from '../types.ts';

export interface BufferedMarks extends Marks {
  userId: number;
  conversationId: number;
  /** status clock value taken when the marks last moved: reconnect catch-up compares it with cursors */
  version: number;
  /** what Postgres held when the entry was first buffered (it only grows afterwards) */
  base: Marks;
}

const keyOf = (userId: number, conversationId: number) => `${userId}:${conversationId}`;

/** Messages in (base.d, d] or (base.r, r]: the ticks this entry moves past Postgres, at most. */
export function receiptsAhead(entry: BufferedMarks): number {
  const delivered = Math.max(0, entry.d - entry.base.d);
  const read = Math.max(0, entry.r - entry.base.r);
  const overlap = Math.max(0, Math.min(entry.d, entry.r) - Math.max(entry.base.d, entry.base.r));
  return delivered + read - overlap;
}

export class ReadStateBuffer {
  /** changed since the last flush began */
  private pending = new Map<string, BufferedMarks>();
  /** being written by the flush in progress: still readable until it is in Postgres */
  private writing = new Map<string, BufferedMarks>();

  /** buffered marks of one member, newest of pending and in-flight; undefined when none */
  get(userId: number, conversationId: number): Marks | undefined {
    const key = keyOf(userId, conversationId);
    const a = this.pending.get(key);
    const b = this.writing.get(key);
    if (!a && !b) return undefined;
    return { d: Math.max(a?.d ?? 0, b?.d ?? 0), r: Math.max(a?.r ?? 0, b?.r ?? 0) };
  }

  /** every buffered entry (pending and in flight, merged), for reads that overlay Postgres */
  entries(filter: (entry: BufferedMarks) => boolean = () => true): BufferedMarks[] {
    const merged = new Map<string, BufferedMarks>();
    for (const source of [this.writing, this.pending]) {
      for (const [key, entry] of source) {
        const seen = merged.get(key);
        merged.set(key, seen ? combine(seen, entry) : { ...entry });
      }
    }
    return [...merged.values()].filter(filter);
  }

  /** records marks that moved; keeps the earliest base, so the window is never understated */
  put(entry: BufferedMarks): void {
    const key = keyOf(entry.userId, entry.conversationId);
    const seen = this.pending.get(key);
    this.pending.set(key, seen ? combine(seen, entry) : entry);
  }

  get size(): number {
    return this.pending.size;
  }

  /** hands the pending entries to a flush; they stay readable until `flushed` or `failed` */
  beginFlush(): BufferedMarks[] {
    this.writing = this.pending;
    this.pending = new Map();
    return [...this.writing.values()];
  }

  flushed(): void {
    this.writing = new Map();
  }

  /** the write failed: its entries go back to pending for the next flush */
  failed(): void {
    for (const entry of this.writing.values()) this.put(entry);
    this.writing = new Map();
  }

  /** what a crash now would lose: every entry not yet known to be in Postgres */
  window(): { marks: number; receipts: number } {
    const entries = this.entries();
    return { marks: entries.length, receipts: entries.reduce((sum, entry) => sum + receiptsAhead(entry), 0) };
  }
}

function combine(a: BufferedMarks, b: BufferedMarks): BufferedMarks {
  return {
    userId: a.userId,
    conversationId: a.conversationId,
    d: Math.max(a.d, b.d),
    r: Math.max(a.r, b.r),
    version: Math.max(a.version, b.version),
    base: { d: Math.min(a.base.d, b.base.d), r: Math.min(a.base.r, b.base.r) },
  };
}
