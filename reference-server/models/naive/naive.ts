// naive: a status on each message row (1:1) or a receipt row per (message, recipient) (groups),
// updated one row per message per transition, and one status event per message per transition.
import { fileURLToPath } from 'node:url';
import type { ServerFrame, Tick } from '../../protocol.ts';
import type { Ack, ConversationMeta, ModelDefinition, ReceiptModel, StatusPush } from '../types.ts';

const RANK = { delivered: 1, read: 2 } as const;
const TICK_OF_RANK: Tick[] = ['sent', 'delivered', 'read'];

function peerOf(conversation: ConversationMeta, userId: number): number {
  return conversation.members.find((member) => member !== userId) ?? userId;
}

/** Stateless: one instance serves every node (hybrid reuses it for its per-message conversations). */
export const naiveReceipts: ReceiptModel = {
  id: 'naive',

  writesOnSend: (conversation) => conversation.kind === 'group',

  async afterSend(db, message, conversation) {
    if (conversation.kind !== 'group') return;
    const recipients = conversation.members.filter((member) => member !== message.senderId);
    await db.write(
      `INSERT INTO receipts (conversation_id, seq, user_id, sender_id)
       SELECT $1, $2, recipient, $3 FROM unnest($4::bigint[]) AS recipient`,
      [message.conversationId, message.seq, message.senderId, recipients],
    );
  },

  async acknowledge(db, ack: Ack) {
    const rank = RANK[ack.kind];
    const conversationId = ack.conversation.id;
    const pushes: StatusPush[] = [];
    if (ack.conversation.kind === 'direct') {
      // what an ORM does: load the messages that change, then save each one
      const pending = await db.read<{ seq: string; sender_id: string }>(
        `SELECT seq, sender_id FROM messages
         WHERE conversation_id = $1 AND seq <= $2 AND sender_id <> $3 AND status < $4 ORDER BY seq`,
        [conversationId, ack.upToSeq, ack.userId, rank],
      );
      for (const row of pending) {
        const { rowCount } = await db.write(
          `UPDATE messages SET status = $3, status_version = nextval('status_clock')
           WHERE conversation_id = $1 AND seq = $2 AND status < $3`,
          [conversationId, row.seq, rank],
        );
        if (rowCount) pushes.push(statusPush(Number(row.sender_id), conversationId, Number(row.seq), ack.userId, ack.kind));
      }
      return pushes;
    }
    const pending = await db.read<{ seq: string; sender_id: string }>(
      `SELECT seq, sender_id FROM receipts
       WHERE conversation_id = $1 AND user_id = $2 AND seq <= $3 AND status < $4 ORDER BY seq`,
      [conversationId, ack.userId, ack.upToSeq, rank],
    );
    for (const row of pending) {
      const { rowCount } = await db.write(
        `UPDATE receipts SET status = $4, version = nextval('status_clock')
         WHERE conversation_id = $1 AND user_id = $2 AND seq = $3 AND status < $4`,
        [conversationId, ack.userId, row.seq, rank],
      );
      if (rowCount) pushes.push(statusPush(Number(row.sender_id), conversationId, Number(row.seq), ack.userId, ack.kind));
    }
    return pushes;
  },

  // a direct message was delivered, then read: stored so by the import itself, its status version
  // from the same clock as a live transition's
  historyColumns: (conversation) => (conversation.kind === 'direct' ? { status: '2', status_version: "nextval('status_clock')" } : undefined),

  async importReceipts(db, items) {
    for (const item of items.filter((entry) => entry.conversation.kind === 'group')) {
      await db.write(
        `INSERT INTO receipts (conversation_id, seq, user_id, sender_id, status, version)
         SELECT $1, s.seq, r.user_id, $2, 2, nextval('status_clock')
         FROM generate_series(1, $3::int) AS s(seq), unnest($4::bigint[]) AS r(user_id)`,
        [item.conversation.id, item.senderId, item.messages, item.conversation.members.filter((member) => member !== item.senderId)],
      );
    }
  },

  async readReceiptsAllowed(db, userId, conversation) {
    const rows = await db.read<{ read_receipts: boolean }>(
      'SELECT read_receipts FROM members WHERE conversation_id = $1 AND user_id = $2',
      [conversation.id, userId],
    );
    return rows[0]?.read_receipts ?? true;
  },

  async setReadReceipts(db, userId, enabled) {
    await db.write('UPDATE members SET read_receipts = $2 WHERE user_id = $1', [userId, enabled]);
  },

  async getReadReceipts(db, userId) {
    const rows = await db.read<{ enabled: boolean | null }>(
      'SELECT bool_and(read_receipts) AS enabled FROM members WHERE user_id = $1',
      [userId],
    );
    return rows[0]?.enabled ?? true;
  },

  async statusSince(db, userId, conversations, cursor) {
    const byId = new Map(conversations.map((conversation) => [conversation.id, conversation]));
    const frames: ServerFrame[] = [];
    const direct = await db.read<{ conversation_id: string; seq: string; status: number }>(
      `SELECT conversation_id, seq, status FROM messages
       WHERE sender_id = $1 AND status_version > $2 ORDER BY status_version`,
      [userId, cursor],
    );
    for (const row of direct) {
      const conversation = byId.get(Number(row.conversation_id));
      if (!conversation || conversation.kind !== 'direct') continue;
      frames.push(statusFrame(conversation.id, Number(row.seq), peerOf(conversation, userId), TICK_OF_RANK[row.status] as 'delivered' | 'read'));
    }
    const group = await db.read<{ conversation_id: string; seq: string; user_id: string; status: number }>(
      `SELECT conversation_id, seq, user_id, status FROM receipts
       WHERE sender_id = $1 AND version > $2 ORDER BY version`,
      [userId, cursor],
    );
    for (const row of group) {
      frames.push(statusFrame(Number(row.conversation_id), Number(row.seq), Number(row.user_id), TICK_OF_RANK[row.status] as 'delivered' | 'read'));
    }
    return frames;
  },

  async readBy(db, conversation, seq) {
    const rows =
      conversation.kind === 'direct'
        ? await db.read<{ n: string }>('SELECT count(*) AS n FROM messages WHERE conversation_id = $1 AND seq = $2 AND status = 2', [conversation.id, seq])
        : await db.read<{ n: string }>('SELECT count(*) AS n FROM receipts WHERE conversation_id = $1 AND seq = $2 AND status = 2', [conversation.id, seq]);
    return Number(rows[0]?.n ?? 0);
  },

  async ticks(db, conversation) {
    const rows =
      conversation.kind === 'direct'
        ? await db.read<{ seq: string; status: number }>('SELECT seq, status FROM messages WHERE conversation_id = $1', [conversation.id])
        : await db.read<{ seq: string; status: number }>(
            // a message with no recipient at all (a group of one) is trivially read
            `SELECT m.seq, coalesce(min(r.status), 2) AS status FROM messages m
             LEFT JOIN receipts r ON r.conversation_id = m.conversation_id AND r.seq = m.seq
             WHERE m.conversation_id = $1 GROUP BY m.seq`,
            [conversation.id],
          );
    return new Map(rows.map((row) => [Number(row.seq), TICK_OF_RANK[row.status] ?? 'sent']));
  },
};

export const naive: ModelDefinition = {
  id: 'naive',
  description: 'status column on each message (a receipt row per recipient in groups), one UPDATE per message per transition',
  design: 'the first instinct the seeds start from: a status per message row, updated on every transition (an ORM loading and saving each message)',
  migrationsDir: fileURLToPath(new URL('.', import.meta.url)),
  client: { cachesSettings: false },
  capabilities: {},
  options: {},
  traits: () => ({ receipts: () => 'per-message', durability: 'write-through', settings: 'per-membership' }),
  create: () => naiveReceipts,
};

function statusFrame(conversationId: number, seq: number, userId: number, status: 'delivered' | 'read'): ServerFrame {
  return { type: 'status', conversationId, seq, userId, status };
}

function statusPush(to: number, conversationId: number, seq: number, userId: number, status: 'delivered' | 'read'): StatusPush {
  return { to, frame: statusFrame(conversationId, seq, userId, status) };
}

