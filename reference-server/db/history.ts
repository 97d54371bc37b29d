// Bulk history: the messages a sender sent, stored as the send path would store them (seqs
// 1..n, conversation last_seq), then the model marks them delivered and read. For scenarios whose
// measured part comes after a long history (mass-reconnect), at a fraction of the live cost.
import type { ActionDb } from './query-layer.ts';
import type { HistoryImport, ReceiptModel } from '../models/types.ts';

export async function importHistory(db: ActionDb, model: ReceiptModel, items: HistoryImport[]): Promise<void> {
  if (!items.length) return;
  const ids = items.map((item) => item.conversation.id);
  const senders = items.map((item) => item.senderId);
  const counts = items.map((item) => item.messages);
  await db.write(
    `INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at)
     SELECT h.id, s.seq, h.sender, 'history-' || s.seq, 'history', 0
     FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS h(id, sender, n), generate_series(1, h.n) AS s(seq)`,
    [ids, senders, counts],
  );
  await db.write(
    `UPDATE conversations c SET last_seq = h.n FROM unnest($1::bigint[], $2::int[]) AS h(id, n) WHERE c.id = h.id`,
    [ids, counts],
  );
  await model.importReceipts(db, items);
}
