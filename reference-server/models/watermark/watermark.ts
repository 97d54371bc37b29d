// watermark: (last_delivered_seq, last_read_seq) per user per conversation, one upsert per ack,
// one event per ack, one status_update per changed conversation on reconnect. Watermarks never
// move backwards, a read implies delivery, and an ack past the conversation's last seq is clamped.
import { fileURLToPath } from 'node:url';
import type { ServerFrame, Tick } from '../../protocol.ts';
import { tickFrom } from '../../protocol.ts';
import type { ActionDb } from '../../db/query-layer.ts';
import type { Ack, ConversationMeta, Marks, ModelDefinition, ReceiptModel, StatusPush } from '../types.ts';

const UPSERT_WATERMARK = `
WITH prev AS (
  SELECT last_delivered_seq AS d, last_read_seq AS r FROM message_status WHERE user_id = $1 AND conversation_id = $2
), target AS (
  SELECT LEAST($3::bigint, last_seq) AS s FROM conversations WHERE id = $2
), moved AS (
  INSERT INTO message_status AS ms (user_id, conversation_id, last_delivered_seq, last_read_seq, version)
  SELECT $1, $2, target.s, CASE WHEN $4 THEN target.s ELSE 0 END, nextval('status_clock') FROM target WHERE target.s > 0
  ON CONFLICT (user_id, conversation_id) DO UPDATE SET
    last_delivered_seq = GREATEST(ms.last_delivered_seq, EXCLUDED.last_delivered_seq),
    last_read_seq = GREATEST(ms.last_read_seq, EXCLUDED.last_read_seq),
    version = EXCLUDED.version
  -- an older or repeated ack is a no-op: no row written, no event
  WHERE EXCLUDED.last_delivered_seq > ms.last_delivered_seq OR EXCLUDED.last_read_seq > ms.last_read_seq
  RETURNING ms.last_delivered_seq, ms.last_read_seq
)
SELECT moved.last_delivered_seq AS d, moved.last_read_seq AS r, coalesce(prev.d, 0) AS prev_d, coalesce(prev.r, 0) AS prev_r
FROM moved LEFT JOIN prev ON true`;

/** Stateless: one instance serves every node (hybrid reuses it for its large groups). */
export const watermarkReceipts: ReceiptModel = {
  id: 'watermark',

  async afterSend() {},
  writesOnSend: () => false,

  async acknowledge(db, ack: Ack) {
    const { rows } = await db.write<{ d: string; r: string; prev_d: string; prev_r: string }>(UPSERT_WATERMARK, [
      ack.userId,
      ack.conversation.id,
      ack.upToSeq,
      ack.kind === 'read',
    ]);
    const row = rows[0];
    if (!row) return [];
    const delivered = Number(row.d);
    const read = Number(row.r);
    const frame: ServerFrame = {
      type: 'status_update',
      conversationId: ack.conversation.id,
      userId: ack.userId,
      lastDeliveredSeq: delivered,
      lastReadSeq: read,
    };
    let senders: number[];
    if (ack.conversation.kind === 'direct') {
      senders = ack.conversation.members.filter((member) => member !== ack.userId);
    } else {
      // only the senders of the messages this ack covers need to hear about it
      // (a read moving past the delivered mark moves it too, inside the same range)
      const [from, to] = ack.kind === 'read' ? [Number(row.prev_r), read] : [Number(row.prev_d), delivered];
      const affected = await db.read<{ sender_id: string }>(
        `SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 AND sender_id <> $4`,
        [ack.conversation.id, from, to, ack.userId],
      );
      senders = affected.map((sender) => Number(sender.sender_id));
    }
    return senders.map((to): StatusPush => ({ to, frame }));
  },

  async importReceipts(db, items) {
    const rows = items.flatMap((item) =>
      item.conversation.members.filter((member) => member !== item.senderId).map((member) => [member, item.conversation.id, item.messages] as const),
    );
    if (!rows.length) return;
    await db.write(
      `INSERT INTO message_status (user_id, conversation_id, last_delivered_seq, last_read_seq, version)
       SELECT r.user_id, r.conversation_id, r.n, r.n, nextval('status_clock')
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(user_id, conversation_id, n)
       ON CONFLICT (user_id, conversation_id) DO UPDATE SET
         last_delivered_seq = GREATEST(message_status.last_delivered_seq, EXCLUDED.last_delivered_seq),
         last_read_seq = GREATEST(message_status.last_read_seq, EXCLUDED.last_read_seq),
         version = EXCLUDED.version`,
      [rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2])],
    );
  },

  async readReceiptsAllowed() {
    // the client checked its cached setting and would not have sent a read event
    return true;
  },

  async setReadReceipts(db, userId, enabled) {
    await db.write('UPDATE users SET read_receipts = $2 WHERE id = $1', [userId, enabled]);
  },

  async getReadReceipts(db, userId) {
    const rows = await db.read<{ read_receipts: boolean }>('SELECT read_receipts FROM users WHERE id = $1', [userId]);
    return rows[0]?.read_receipts ?? true;
  },

  async statusSince(db, userId, conversations, cursor) {
    if (conversations.length === 0) return [];
    // for each conversation where another member's watermark moved since the cursor: the floor
    // (minimum) over all other members, which is all a sender needs to derive every tick
    const rows = await db.read<{ conversation_id: string; d: string; r: string }>(
      `SELECT m.conversation_id, min(coalesce(ms.last_delivered_seq, 0)) AS d, min(coalesce(ms.last_read_seq, 0)) AS r
       FROM members m
       LEFT JOIN message_status ms ON ms.conversation_id = m.conversation_id AND ms.user_id = m.user_id
       WHERE m.user_id <> $1 AND m.conversation_id IN (
         SELECT conversation_id FROM message_status
         WHERE conversation_id = ANY($2::bigint[]) AND user_id <> $1 AND version > $3)
       GROUP BY m.conversation_id`,
      [userId, conversations.map((conversation) => conversation.id), cursor],
    );
    return rows.map((row) => ({
      type: 'status_update',
      conversationId: Number(row.conversation_id),
      lastDeliveredSeq: Number(row.d),
      lastReadSeq: Number(row.r),
    }));
  },

  async readBy(db, conversation, seq) {
    const rows = await db.read<{ n: string }>(
      `SELECT count(*) AS n FROM message_status
       WHERE conversation_id = $1 AND last_read_seq >= $2
         AND user_id <> (SELECT sender_id FROM messages WHERE conversation_id = $1 AND seq = $2)`,
      [conversation.id, seq],
    );
    return Number(rows[0]?.n ?? 0);
  },

  async ticks(db, conversation) {
    const messages = await db.read<{ seq: string; sender_id: string }>(
      'SELECT seq, sender_id FROM messages WHERE conversation_id = $1',
      [conversation.id],
    );
    const marks = await storedMarks(db, conversation);
    return ticksFromMarks(conversation, messages.map((message) => ({ seq: Number(message.seq), sender: Number(message.sender_id) })), marks);
  },

  marks: storedMarks,
};

export async function storedMarks(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Marks>> {
  const rows = await db.read<{ user_id: string; d: string; r: string }>(
    'SELECT user_id, last_delivered_seq AS d, last_read_seq AS r FROM message_status WHERE conversation_id = $1',
    [conversation.id],
  );
  return new Map(rows.map((row) => [Number(row.user_id), { d: Number(row.d), r: Number(row.r) }]));
}

/** A message's tick from every other member's marks: read when all read it, delivered when all got it. */
export function ticksFromMarks(conversation: ConversationMeta, messages: { seq: number; sender: number }[], marks: Map<number, Marks>): Map<number, Tick> {
  const ticks = new Map<number, Tick>();
  for (const { seq, sender } of messages) {
    let delivered = 0;
    let read = 0;
    for (const member of conversation.members) {
      if (member === sender) continue;
      const mark = marks.get(member);
      if (mark && mark.d >= seq) delivered += 1;
      if (mark && mark.r >= seq) read += 1;
    }
    ticks.set(seq, tickFrom(conversation.members.length - 1, delivered, read));
  }
  return ticks;
}

export const watermark: ModelDefinition = {
  id: 'watermark',
  description: 'last_delivered_seq and last_read_seq per user per conversation, one upsert per ack',
  design: "the seeds' answer (WhatsApp-style, Signal's last_read_message_id): status is a range, so two integers per member per conversation",
  migrationsDir: fileURLToPath(new URL('.', import.meta.url)),
  client: { cachesSettings: true },
  capabilities: {},
  options: {},
  traits: () => ({ receipts: () => 'watermark', durability: 'write-through', settings: 'per-user' }),
  create: () => watermarkReceipts,
};
