// The one seam a storage model plugs into. A model is a definition (what it is, its schema, its
// options, the traits scenarios derive expectations from) whose `create` makes one instance per
// server node with what the node hands it: the counting query layer, validated options, and a
// Redis connection when it asks for one. The server owns sockets, auth, sequencing and routing; an
// instance owns only how receipts and the read-receipts setting are stored, and says which status
// frames go to whom. An instance that buffers may `flush` (the run engine drains every node before
// WAL marks and checks) and `close`.
import type { Redis } from 'ioredis';
import type { ActionKind } from '../../analysis/metric-names.ts';
import type { ActionDb, CountingDb } from '../db/query-layer.ts';
import type { ServerFrame, Tick, WireMessage } from '../protocol.ts';
import type { ParamSpec } from '../../scenarios/define.ts';
import type { ModelTraits } from './traits.ts';

export type { ModelTraits };

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

/** One member's cumulative marks in a conversation. */
export interface Marks {
  d: number;
  r: number;
}

/** What a crash of this node would lose right now: acknowledged but not yet in Postgres. */
export interface PendingWindow {
  /** (user, conversation) marks buffered */
  marks: number;
  /** messages those marks move past what Postgres holds, summed over marks (an upper bound on ticks lost) */
  receipts: number;
}

export interface ReceiptModel {
  readonly id: string;
  /** after a message row is stored (same action: `send`) */
  afterSend(db: ActionDb, message: WireMessage, conversation: ConversationMeta): Promise<void>;
  /**
   * Whether `afterSend` writes rows for a message in this conversation. When it does not, the
   * message row is stored by one statement on its own, atomic without BEGIN/COMMIT: two round
   * trips fewer per send, which on loopback is most of a send's cost. `afterSend` then runs with
   * a handle that refuses statements, so a model that says false and writes fails loudly.
   * Absent: the send runs in a transaction, as if true.
   */
  writesOnSend?(conversation: ConversationMeta): boolean;
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
   * Marks imported history (messages already stored by `importHistory`) as delivered to and read
   * by every other member, as the live acks would have (bulk history; attributed to setup).
   */
  importReceipts(db: ActionDb, items: HistoryImport[]): Promise<void>;
  /**
   * Columns of the model's own (its migrations added them to `messages`) that imported history
   * stores already set, as SQL expressions per column: a model whose status lives on the message
   * row writes it with the row instead of updating every imported row after the insert (which,
   * for 250,000 messages, doubled the import and left as many dead rows for the vacuum).
   */
  historyColumns?(conversation: ConversationMeta): Record<string, string> | undefined;
  /** every message's tick as the sender should see it, from the model's state (checks and tests) */
  ticks(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Tick>>;
  /**
   * Every member's marks, for a conversation this model keeps as marks (undefined otherwise): the
   * differential test checks that they never move backwards and that read <= delivered.
   */
  marks?(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Marks> | undefined>;
  /** writes everything buffered to Postgres; resolves once it is there */
  flush?(): Promise<void>;
  /** what a crash would lose now (models that acknowledge before Postgres has it) */
  pending?(): PendingWindow;
  /** a graceful stop: flushes, stops timers; the node closes its pool and Redis afterwards */
  close?(): Promise<void>;
}

/** Whether a send to this conversation is a transaction: the model's answer, a transaction when it gives none. */
export function sendIsTransaction(model: Pick<ReceiptModel, 'writesOnSend'>, conversation: ConversationMeta): boolean {
  return model.writesOnSend?.(conversation) ?? true;
}

/** What a node hands a model instance. */
export interface ModelContext {
  /** the node's counting query layer: `db.for(action)` attributes statements the model makes on its own (a flush) */
  db: CountingDb;
  /** the model's options, validated against its `options` specs, defaults filled in */
  options: Record<string, number>;
  /** present when the model's capabilities ask for Redis */
  redis?: Redis;
  /** an action the server does on its own (a flush): counted beside the clients' actions */
  count(action: ActionKind): void;
  log(line: string): void;
}

export interface ModelCapabilities {
  /** the node must hand the model a Redis connection (the run then needs Redis, as for several nodes) */
  redis?: boolean;
}

export interface ModelDefinition {
  readonly id: string;
  /** one line: how receipts are stored */
  readonly description: string;
  /** the real system or published design it stands for */
  readonly design: string;
  /** the model's numbered migrations (NNN_name.sql), applied after the common ones */
  readonly migrationsDir: string;
  /** how a client of this model behaves: a settings cache means no read event when receipts are off */
  readonly client: { cachesSettings: boolean };
  readonly capabilities: ModelCapabilities;
  /** settable with `--model-opt <id>.<name>=<value>`, validated like scenario parameters */
  readonly options: Record<string, ParamSpec>;
  traits(options: Record<string, number>): ModelTraits;
  create(context: ModelContext): ReceiptModel;
}

/** A context for instances made outside a server node (checks, bulk history, tests): nothing it does is an action. */
export function standaloneContext(db: CountingDb, options: Record<string, number>, redis?: Redis): ModelContext {
  return { db, options, ...(redis ? { redis } : {}), count() {}, log() {} };
}
