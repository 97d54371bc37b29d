// hybrid: Telegram's split. Direct chats and groups of at most `threshold` members keep a receipt
// per message (as naive: exact per-message "read by", costs that grow with the backlog); larger
// groups keep watermarks (as watermark: one row per ack, whatever the group size). Every call is
// routed to the store the conversation uses, so each side costs exactly what its model costs.
// The read-receipts setting lives once per user, cached by the client, for both.
import { fileURLToPath } from 'node:url';
import type { ActionDb } from '../../db/query-layer.ts';
import { naiveReceipts } from '../naive/naive.ts';
import { sendIsTransaction, type ConversationMeta, type HistoryImport, type ModelDefinition, type ReceiptModel } from '../types.ts';
import { watermarkReceipts } from '../watermark/watermark.ts';

export const HYBRID_OPTIONS = {
  threshold: {
    default: 100,
    min: 1,
    max: 100_000,
    unit: 'members',
    description: 'groups of at most this many members keep a receipt per message; larger groups keep watermarks',
  },
};

const perMessage = (threshold: number, conversation: { kind: 'direct' | 'group'; members: number }) =>
  conversation.kind === 'direct' || conversation.members <= threshold;

function createHybrid(threshold: number): ReceiptModel {
  const small = (conversation: ConversationMeta) => perMessage(threshold, { kind: conversation.kind, members: conversation.members.length });
  const storeOf = (conversation: ConversationMeta): ReceiptModel => (small(conversation) ? naiveReceipts : watermarkReceipts);
  const split = <T>(items: T[], conversationOf: (item: T) => ConversationMeta) => ({
    perMessage: items.filter((item) => small(conversationOf(item))),
    watermark: items.filter((item) => !small(conversationOf(item))),
  });
  return {
    id: 'hybrid',
    afterSend: (db, message, conversation) => storeOf(conversation).afterSend(db, message, conversation),
    writesOnSend: (conversation) => sendIsTransaction(storeOf(conversation), conversation),
    acknowledge: (db, ack) => storeOf(ack.conversation).acknowledge(db, ack),
    readReceiptsAllowed: watermarkReceipts.readReceiptsAllowed,
    setReadReceipts: watermarkReceipts.setReadReceipts,
    getReadReceipts: watermarkReceipts.getReadReceipts,
    async statusSince(db: ActionDb, userId: number, conversations: ConversationMeta[], cursor: number) {
      const { perMessage: replayed, watermark: marked } = split(conversations, (conversation) => conversation);
      // a store with none of the user's conversations costs nothing
      return [
        ...(replayed.length ? await naiveReceipts.statusSince(db, userId, replayed, cursor) : []),
        ...(marked.length ? await watermarkReceipts.statusSince(db, userId, marked, cursor) : []),
      ];
    },
    readBy: (db, conversation, seq) => storeOf(conversation).readBy(db, conversation, seq),
    historyColumns: (conversation) => storeOf(conversation).historyColumns?.(conversation),
    async importReceipts(db: ActionDb, items: HistoryImport[]) {
      const { perMessage: replayed, watermark: marked } = split(items, (item) => item.conversation);
      if (replayed.length) await naiveReceipts.importReceipts(db, replayed);
      if (marked.length) await watermarkReceipts.importReceipts(db, marked);
    },
    ticks: (db, conversation) => storeOf(conversation).ticks(db, conversation),
    async marks(db, conversation) {
      return small(conversation) ? undefined : watermarkReceipts.marks!(db, conversation);
    },
  };
}

export const hybrid: ModelDefinition = {
  id: 'hybrid',
  description: 'a receipt per message in direct chats and groups of at most `threshold` members, watermarks in larger groups',
  design: "Telegram: per-message \"read by\" only in small groups (under about 100 members), a read mark everywhere else; the seeds' \"instant updates for direct messages, aggregated counts for groups\"",
  migrationsDir: fileURLToPath(new URL('.', import.meta.url)),
  client: { cachesSettings: true },
  capabilities: {},
  options: HYBRID_OPTIONS,
  traits: (options) => ({
    receipts: (conversation) => (perMessage(options.threshold!, conversation) ? 'per-message' : 'watermark'),
    durability: 'write-through',
    settings: 'per-user',
  }),
  create: (context) => createHybrid(context.options.threshold!),
};
