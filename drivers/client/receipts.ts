// Receipt latency across load-generator processes: a reader and the sender of what it read may
// sit in different worker processes or k6 runners, so neither can time the receipt alone. Each
// process logs what it saw (flat number arrays: no object per event on the client's hot path),
// and the driver matches the logs of every process afterwards. Times are epoch ms from each
// process's own clock: comparable on one machine, and within clock sync across a cluster.
// No Node or k6 imports: both drivers use this.

/** `reader` of a watermark floor: a reconnect's status catch-up covers every other member at once */
export const ALL_READERS = -1;

export interface ReceiptLogPart {
  /** per read ack sent: conversationId, reader, fromSeq (exclusive), upToSeq, scheduledAt */
  reads: number[];
  /** per advance a sender saw: conversationId, sender, reader (or ALL_READERS), read through seq, at */
  seen: number[];
  /** per sender and conversation: conversationId, sender, n, then its n own seqs */
  own: number[];
}

export const READ_FIELDS = 5;
export const SEEN_FIELDS = 5;

export function emptyReceiptLog(): ReceiptLogPart {
  return { reads: [], seen: [], own: [] };
}

export interface ReceiptMatch {
  /** one per (read, sender whose messages it covered) that arrived: ms from the read's scheduled time */
  receipts: { valueMs: number; at: number }[];
  /** (read, sender) pairs whose receipt the sender never saw */
  missing: number;
  /** a few of the missing ones, for the run's check examples */
  examples: string[];
}

interface Seen {
  through: number[];
  at: number[];
}

const MAX_EXAMPLES = 5;

/**
 * For each read ack and each other member who sent messages in the range it covered: the
 * receipt arrived when that sender first saw the reader's read through its last message in the
 * range. Pure: the same logs give the same receipts, whichever process logged what.
 */
export function matchReceipts(parts: ReceiptLogPart[]): ReceiptMatch {
  // conversation -> sender -> own seqs, ascending
  const own = new Map<number, Map<number, number[]>>();
  // conversation -> sender -> reader -> advances (through ascending, as logged)
  const seen = new Map<number, Map<number, Map<number, Seen>>>();
  for (const part of parts) {
    for (let i = 0; i < part.own.length; ) {
      const conversationId = part.own[i]!;
      const sender = part.own[i + 1]!;
      const n = part.own[i + 2]!;
      const seqs = part.own.slice(i + 3, i + 3 + n).sort((a, b) => a - b);
      let bySender = own.get(conversationId);
      if (!bySender) own.set(conversationId, (bySender = new Map()));
      bySender.set(sender, seqs);
      i += 3 + n;
    }
    for (let i = 0; i < part.seen.length; i += SEEN_FIELDS) {
      const [conversationId, sender, reader, through, at] = part.seen.slice(i, i + SEEN_FIELDS) as [number, number, number, number, number];
      let bySender = seen.get(conversationId);
      if (!bySender) seen.set(conversationId, (bySender = new Map()));
      let byReader = bySender.get(sender);
      if (!byReader) bySender.set(sender, (byReader = new Map()));
      let entry = byReader.get(reader);
      if (!entry) byReader.set(reader, (entry = { through: [], at: [] }));
      entry.through.push(through);
      entry.at.push(at);
    }
  }
  const match: ReceiptMatch = { receipts: [], missing: 0, examples: [] };
  for (const part of parts) {
    for (let i = 0; i < part.reads.length; i += READ_FIELDS) {
      const [conversationId, reader, fromSeq, upToSeq, scheduledAt] = part.reads.slice(i, i + READ_FIELDS) as [number, number, number, number, number];
      for (const [sender, seqs] of own.get(conversationId) ?? []) {
        if (sender === reader) continue;
        const target = lastIn(seqs, fromSeq, upToSeq);
        if (target === undefined) continue;
        const bySender = seen.get(conversationId)?.get(sender);
        const at = earliest(firstAt(bySender?.get(reader), target), firstAt(bySender?.get(ALL_READERS), target));
        if (at === undefined) {
          match.missing += 1;
          if (match.examples.length < MAX_EXAMPLES) {
            match.examples.push(`receipt never arrived: user ${sender} did not see user ${reader}'s read of conversation ${conversationId} through seq ${target}`);
          }
        } else match.receipts.push({ valueMs: at - scheduledAt, at });
      }
    }
  }
  return match;
}

/** the highest seq in (from, upTo], or undefined */
function lastIn(sorted: number[], from: number, upTo: number): number | undefined {
  let low = 0;
  let high = sorted.length;
  // first index with seq > upTo
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= upTo) low = mid + 1;
    else high = mid;
  }
  const seq = sorted[low - 1];
  return seq !== undefined && seq > from ? seq : undefined;
}

/** when an advance first reached `target` (advances only grow, so the first is found by bisection) */
function firstAt(entry: Seen | undefined, target: number): number | undefined {
  if (!entry) return undefined;
  let low = 0;
  let high = entry.through.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entry.through[mid]! < target) low = mid + 1;
    else high = mid;
  }
  return entry.at[low];
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
