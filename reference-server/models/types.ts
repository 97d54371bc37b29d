// The one interface a storage model implements. The server owns sockets, auth, sequencing and
// routing; a model owns only how receipts and the read-receipts setting are stored, and says
// which status frames go to whom. All IO comes in through `ActionDb`.
import type { ActionDb } from '../db/query-layer.ts';
import type { ServerFrame, Tick, WireMessage } from '../protocol.ts';

export interface ConversationMeta {
  id: number;
  kind: 'direct' | 'group';
  members: number[];
}

export interface StatusPush {
  to: number;
  frame: ServerFrame;
}

export interface Ack {
  userId: number;
  conversation: ConversationMeta;
  upToSeq: number;
  kind: 'delivered' | 'read';
}

export interface HistoryImport {
  conversation: ConversationMeta;
  senderId: number;
  messages: number;
}

export interface ReceiptModel {
  readonly id: string;
  readonly description: string;
  /** the model's numbered migrations (NNN_name.sql), applied after the common ones */
  readonly migrationsDir: string;
  /** how a client of this model behaves: a settings cache means no read event when receipts are off */
  readonly client: { cachesSettings: boolean };
  /** after a message row is stored (same action: `send`) */
  afterSend(db: ActionDb, message: WireMessage, conversation: ConversationMeta): Promise<void>;
  /** a cumulative delivered or read ack; returns the status frames to push */
  acknowledge(db: ActionDb, ack: Ack): Promise<StatusPush[]>;
  /** before recording a read: may this user's read be recorded? (db is attributed to `open`) */
  readReceiptsAllowed(db: ActionDb, userId: number, conversation: ConversationMeta): Promise<boolean>;
  setReadReceipts(db: ActionDb, userId: number, enabled: boolean): Promise<void>;
  getReadReceipts(db: ActionDb, userId: number): Promise<boolean>;
  /** status frames a reconnecting client needs to hold correct ticks for messages it sent */
  statusSince(db: ActionDb, userId: number, conversations: ConversationMeta[], cursor: number): Promise<ServerFrame[]>;
  /** "read by X of Y": X for one message */
  readBy(db: ActionDb, conversation: ConversationMeta, seq: number): Promise<number>;
  /**
   * Marks imported history (messages already stored by `importMessages`) as delivered to and read
   * by every other member, as the live acks would have (bulk history; attributed to setup).
   */
  importReceipts(db: ActionDb, items: HistoryImport[]): Promise<void>;
  /** every message's tick as the sender should see it, from the stored state (checks and tests) */
  ticks(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Tick>>;
}
