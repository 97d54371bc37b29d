// A model defined only in the test folder, to prove that adding a model is one folder plus one
// registration: an append-only log of acks (event sourcing). Every ack that moves a member's marks
// appends one row; marks are the highest values logged. The suite registers it (test/setup) and
// the contract, differential, bad-input and scenario tests and the report pick it up like any
// shipped model; the CLI takes it through CHATBENCH_MODEL_MODULES.
import { fileURLToPath } from 'node:url';
import type { ActionDb } from '../../../reference-server/db/query-layer.ts';
import type { ServerFrame } from '../../../reference-server/protocol.ts';
import type { ConversationMeta, Marks, ModelDefinition, ReceiptModel, StatusPush } from '../../../reference-server/models/types.ts';
import { ticksFromMarks, watermarkReceipts } from '../../../reference-server/models/watermark/watermark.ts';

const APPEND = `
WITH cur AS (
  SELECT coalesce(max(delivered_seq), 0) AS d, coalesce(max(read_seq), 0) AS r FROM ack_log WHERE user_id = $1 AND conversation_id = $2
), target AS (
  SELECT LEAST($3::bigint, last_seq) AS s FROM conversations WHERE id = $2
), next AS (
  SELECT GREATEST(cur.d, target.s) AS d, CASE WHEN $4 THEN GREATEST(cur.r, target.s) ELSE cur.r END AS r, cur.d AS pd, cur.r AS pr FROM cur, target
)
INSERT INTO ack_log (user_id, conversation_id, delivered_seq, read_seq, version)
SELECT $1, $2, next.d, next.r, nextval('status_clock') FROM next WHERE next.d > next.pd OR next.r > next.pr
RETURNING delivered_seq AS d, read_seq AS r, (SELECT pd FROM next) AS prev_d, (SELECT pr FROM next) AS prev_r`;

const MARKS = `SELECT user_id, max(delivered_seq) AS d, max(read_seq) AS r FROM ack_log WHERE conversation_id = $1 GROUP BY user_id`;

async function marks(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Marks>> {
  const rows = await db.read<{ user_id: string; d: string; r: string }>(MARKS, [conversation.id]);
  return new Map(rows.map((row) => [Number(row.user_id), { d: Number(row.d), r: Number(row.r) }]));
}

const receipts: ReceiptModel = {
  id: 'ack-log',
  afterSend: watermarkReceipts.afterSend,
  readReceiptsAllowed: watermarkReceipts.readReceiptsAllowed,
  setReadReceipts: watermarkReceipts.setReadReceipts,
  getReadReceipts: watermarkReceipts.getReadReceipts,

  async acknowledge(db, ack) {
    const { rows } = await db.write<{ d: string; r: string; prev_d: string; prev_r: string }>(APPEND, [ack.userId, ack.conversation.id, ack.upToSeq, ack.kind === 'read']);
    const row = rows[0];
    if (!row) return [];
    const frame: ServerFrame = { type: 'status_update', conversationId: ack.conversation.id, userId: ack.userId, lastDeliveredSeq: Number(row.d), lastReadSeq: Number(row.r) };
    let senders = ack.conversation.members.filter((member) => member !== ack.userId);
    if (ack.conversation.kind === 'group') {
      const [from, to] = ack.kind === 'read' ? [row.prev_r, row.r] : [row.prev_d, row.d];
      const affected = await db.read<{ sender_id: string }>(
        'SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 AND sender_id <> $4',
        [ack.conversation.id, from, to, ack.userId],
      );
      senders = affected.map((sender) => Number(sender.sender_id));
    }
    return senders.map((to): StatusPush => ({ to, frame }));
  },

  async importReceipts(db, items) {
    const rows = items.flatMap((item) => item.conversation.members.filter((member) => member !== item.senderId).map((member) => [member, item.conversation.id, item.messages] as const));
    if (!rows.length) return;
    await db.write(
      `INSERT INTO ack_log (user_id, conversation_id, delivered_seq, read_seq, version)
       SELECT r.user_id, r.conversation_id, r.n, r.n, nextval('status_clock') FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, conversation_id, n)`,
      [rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2])],
    );
  },

  async statusSince(db, userId, conversations, cursor) {
    if (conversations.length === 0) return [];
    const rows = await db.read<{ conversation_id: string; d: string; r: string }>(
      `SELECT m.conversation_id, min(coalesce(l.d, 0)) AS d, min(coalesce(l.r, 0)) AS r
       FROM members m
       LEFT JOIN (SELECT user_id, conversation_id, max(delivered_seq) AS d, max(read_seq) AS r FROM ack_log
                  WHERE conversation_id = ANY($2::bigint[]) GROUP BY user_id, conversation_id) l
         ON l.conversation_id = m.conversation_id AND l.user_id = m.user_id
       WHERE m.user_id <> $1 AND m.conversation_id IN (
         SELECT conversation_id FROM ack_log WHERE conversation_id = ANY($2::bigint[]) AND user_id <> $1 AND version > $3)
       GROUP BY m.conversation_id`,
      [userId, conversations.map((conversation) => conversation.id), cursor],
    );
    return rows.map((row) => ({ type: 'status_update', conversationId: Number(row.conversation_id), lastDeliveredSeq: Number(row.d), lastReadSeq: Number(row.r) }));
  },

  async readBy(db, conversation, seq) {
    const rows = await db.read<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT user_id FROM ack_log WHERE conversation_id = $1 GROUP BY user_id HAVING max(read_seq) >= $2) readers
       WHERE user_id <> (SELECT sender_id FROM messages WHERE conversation_id = $1 AND seq = $2)`,
      [conversation.id, seq],
    );
    return Number(rows[0]?.n ?? 0);
  },

  async ticks(db, conversation) {
    const messages = await db.read<{ seq: string; sender_id: string }>('SELECT seq, sender_id FROM messages WHERE conversation_id = $1', [conversation.id]);
    return ticksFromMarks(conversation, messages.map((message) => ({ seq: Number(message.seq), sender: Number(message.sender_id) })), await marks(db, conversation));
  },

  marks,
};

const ackLog: ModelDefinition = {
  id: 'ack-log',
  description: 'an append-only log of acks: a row per ack that moves a mark, nothing updated in place (test model)',
  design: 'event sourcing of read state; here to prove that a model defined outside the source tree runs through every test, scenario and report',
  migrationsDir: fileURLToPath(new URL('.', import.meta.url)),
  client: { cachesSettings: true },
  capabilities: {},
  options: {},
  traits: () => ({ receipts: () => 'watermark', durability: 'write-through', settings: 'per-user' }),
  create: () => receipts,
};

export default ackLog;
