// Bulk history: the messages a sender sent, stored as the send path would store them (seqs
// 1..n, conversation last_seq), then the model marks them delivered and read. For scenarios whose
// measured part comes after a long history (mass-reconnect), at a fraction of the live cost.
import type { ActionDb } from './query-layer.ts';
import type { HistoryImport, ReceiptModel } from '../models/types.ts';

export async function importHistory(db: ActionDb, model: ReceiptModel, items: HistoryImport[]): Promise<void> {
  if (!items.length) return;
  // one insert per set of model columns (a model sets them per conversation kind: one or two sets)
  const byColumns = new Map<string, { columns: [string, string][]; items: HistoryImport[] }>();
  for (const item of items) {
    const columns = Object.entries(model.historyColumns?.(item.conversation) ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify(columns);
    const group = byColumns.get(key) ?? { columns, items: [] };
    group.items.push(item);
    byColumns.set(key, group);
  }
  // every statement built before the first runs: a bad column name stores nothing
  const inserts = [...byColumns.values()].map(({ columns, items: group }) => {
    const names = columns.map(([name]) => `, ${quoteIdentifier(name)}`).join('');
    const values = columns.map(([, expression]) => `, ${expression}`).join('');
    return {
      sql: `INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at${names})
       SELECT h.id, s.seq, h.sender, 'history-' || s.seq, 'history', 0${values}
       FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS h(id, sender, n), generate_series(1, h.n) AS s(seq)`,
      params: [group.map((item) => item.conversation.id), group.map((item) => item.senderId), group.map((item) => item.messages)],
    };
  });
  for (const insert of inserts) await db.write(insert.sql, insert.params);
  await db.write(
    `UPDATE conversations c SET last_seq = h.n FROM unnest($1::bigint[], $2::int[]) AS h(id, n) WHERE c.id = h.id`,
    [items.map((item) => item.conversation.id), items.map((item) => item.messages)],
  );
  await model.importReceipts(db, items);
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`history column ${JSON.stringify(name)}: not a plain lower-case SQL identifier`);
  return `"${name}"`;
}
