// The messages a syncing client missed, in bounded pages. A full sync (empty lastSeqs) of a user
// in busy conversations used to read every message into memory and write it in one burst; now
// each page is at most `syncPageMessages` messages and `syncPageBytes` of message text (the bound
// is applied by Postgres, so the server never holds more), written as sync_batch frames of about
// `syncFrameBytes`, and the next page waits until the client has taken the previous one.
// A sync that fits one page runs the same single statement as before.
import type { ActionDb } from './db/query-layer.ts';
import type { Limits } from './limits.ts';
import type { ServerFrame, WireMessage } from './protocol.ts';

type PageLimits = Pick<Limits, 'syncPageMessages' | 'syncPageBytes' | 'syncFrameBytes'>;

// `fetched` counts the rows before the byte cut: fewer rows kept than fetched means more remain
const PAGE = `
WITH page AS (
  SELECT m.conversation_id, m.seq, m.sender_id, m.temp_id, m.body, m.sent_at,
    octet_length(m.body) + octet_length(m.temp_id) AS size,
    sum(octet_length(m.body) + octet_length(m.temp_id)) OVER (ORDER BY m.conversation_id, m.seq) AS upto
  FROM messages m JOIN unnest($1::bigint[], $2::bigint[]) AS c(id, after) ON m.conversation_id = c.id AND m.seq > c.after
  ORDER BY m.conversation_id, m.seq
  LIMIT $3
)
SELECT conversation_id, seq, sender_id, temp_id, body, sent_at, size, (SELECT count(*) FROM page) AS fetched
FROM page WHERE upto - size < $4 ORDER BY conversation_id, seq`;

interface Row {
  conversation_id: string;
  seq: string;
  sender_id: string;
  temp_id: string;
  body: string;
  sent_at: string;
  size: number;
  fetched: string;
}

/** per-message JSON overhead beyond its tempId and body, for sizing frames */
const MESSAGE_OVERHEAD = 120;

/**
 * Writes every message after `after[i]` in conversation `ids[i]`, page by page. `drained` waits
 * until the client took what was written; false (the connection is gone) stops the sync.
 * Returns false when the sync was abandoned that way.
 */
export async function sendBacklog(
  db: ActionDb,
  ids: number[],
  after: number[],
  limits: PageLimits,
  reply: (frame: ServerFrame) => void,
  drained: () => Promise<boolean>,
): Promise<boolean> {
  let cursor = { ids, after };
  for (;;) {
    // one row more than a page: its presence says another page follows
    const rows = await db.read<Row>(PAGE, [cursor.ids, cursor.after, limits.syncPageMessages + 1, limits.syncPageBytes]);
    const kept = rows.slice(0, limits.syncPageMessages);
    writeFrames(kept, limits.syncFrameBytes, reply);
    const fetched = Number(rows[0]?.fetched ?? 0);
    if (kept.length === 0 || fetched <= kept.length) return true;
    const last = kept[kept.length - 1]!;
    cursor = nextCursor(cursor, Number(last.conversation_id), Number(last.seq));
    if (!(await drained())) return false;
  }
}

/** the conversations still to page: those after the last one written, and the rest of that one */
function nextCursor(cursor: { ids: number[]; after: number[] }, conversationId: number, seq: number) {
  const next = { ids: [] as number[], after: [] as number[] };
  cursor.ids.forEach((id, index) => {
    if (id < conversationId) return;
    next.ids.push(id);
    next.after.push(id === conversationId ? seq : cursor.after[index]!);
  });
  return next;
}

function writeFrames(rows: Row[], frameBytes: number, reply: (frame: ServerFrame) => void): void {
  let batch: WireMessage[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (batch.length) reply({ type: 'sync_batch', conversationId: batch[0]!.conversationId, messages: batch });
    batch = [];
    batchBytes = 0;
  };
  for (const row of rows) {
    const conversationId = Number(row.conversation_id);
    const size = Number(row.size) + MESSAGE_OVERHEAD;
    if (batch.length && (batch[0]!.conversationId !== conversationId || batchBytes + size > frameBytes)) flush();
    batch.push({ conversationId, seq: Number(row.seq), senderId: Number(row.sender_id), tempId: row.temp_id, body: row.body, sentAt: Number(row.sent_at) });
    batchBytes += size;
  }
  flush();
}
