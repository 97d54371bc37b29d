// One handler per client frame type. Each runs with the database attributed to the action the
// frame stands for, and pushes what the model says to whom.
import type { ActionKind } from '../analysis/metric-names.ts';
import type { AttributionAudit } from './db/audit.ts';
import { refusingStatements, type ActionDb, type DbScope } from './db/query-layer.ts';
import type { ConversationCache } from './conversations.ts';
import type { Limits } from './limits.ts';
import type { ServerMetrics } from './metrics.ts';
import { sendBacklog } from './sync-pages.ts';
import { sendIsTransaction, type ReceiptModel, type StatusPush } from './models/types.ts';
import { FrameError, type ClientFrame, type ServerFrame, type WireMessage } from './protocol.ts';
import type { ClientSocket, SessionRegistry } from './sessions.ts';

export interface ConnectionState {
  userId: number;
  /** this connection in the session registry (presence watches hang off it) */
  socket: ClientSocket;
  synced: boolean;
  reply(frame: ServerFrame): void;
  /** waits until the client took what was written; false when the connection is gone or too slow */
  drained(): Promise<boolean>;
}

export interface HandlerContext {
  model: ReceiptModel;
  /** handles bound to an action: the counted pool, or an audited frame's transaction */
  db: DbScope;
  /** runs a sample of frames inside a transaction to check their attribution against Postgres */
  audit?: AttributionAudit;
  conversations: ConversationCache;
  sessions: SessionRegistry;
  metrics: ServerMetrics;
  /** sync page sizes (limits.ts) */
  limits: Pick<Limits, 'syncPageMessages' | 'syncPageBytes' | 'syncFrameBytes'>;
}

type Handler<T extends ClientFrame['type']> = (ctx: HandlerContext, conn: ConnectionState, frame: Extract<ClientFrame, { type: T }>) => Promise<void>;

const STATUS_FRAMES = new Set<ServerFrame['type']>(['status', 'status_update']);

/**
 * Counts a frame where it was written to sockets: status frames are the action's pushed events.
 * A node that writes a frame routed from another node counts it with the action sent along.
 */
export function countWritten(metrics: ServerMetrics, frameType: ServerFrame['type'], action: ActionKind | undefined, bytes: number): void {
  if (bytes <= 0) return;
  metrics.framesOut += 1;
  if (action && STATUS_FRAMES.has(frameType)) metrics.pushed(action, bytes);
}

/** Sends a frame to a user wherever they are; bytes written on this node are counted here. */
export async function push(ctx: HandlerContext, action: ActionKind, to: number, frame: ServerFrame): Promise<void> {
  const bytes = await ctx.sessions.deliver(to, frame, JSON.stringify(frame), action);
  countWritten(ctx.metrics, frame.type, action, bytes);
}

function replyCounted(ctx: HandlerContext, conn: ConnectionState, action: ActionKind, frame: ServerFrame): void {
  conn.reply(frame);
  const bytes = Buffer.byteLength(JSON.stringify(frame));
  ctx.metrics.framesOut += 1;
  if (STATUS_FRAMES.has(frame.type)) ctx.metrics.pushed(action, bytes);
}

function requireMember(ctx: HandlerContext, conn: ConnectionState, conversationId: number, ref?: string) {
  if (!conn.synced) throw new FrameError('invalid_frame', 'send "sync" first', ref);
  const conversation = ctx.conversations.memberOf(conn.userId, conversationId);
  if (!conversation) throw new FrameError('not_a_member', `user ${conn.userId} is not a member of conversation ${conversationId}`, ref);
  return conversation;
}

async function pushAll(ctx: HandlerContext, action: ActionKind, pushes: StatusPush[]): Promise<void> {
  await Promise.all(pushes.map((entry) => push(ctx, action, entry.to, entry.frame)));
}

/** A first login is `connect`; a client coming back with its cursor is `reconnect`. */
function syncAction(frame: Extract<ClientFrame, { type: 'sync' }>): ActionKind {
  return frame.statusCursor === undefined ? 'connect' : 'reconnect';
}

const sync: Handler<'sync'> = async (ctx, conn, frame) => {
  const action = syncAction(frame);
  const db = ctx.db.for(action);
  const conversations = await ctx.conversations.forUser(db, conn.userId);
  // live pushes reach the connection from here on, so nothing committed during the sync is missed
  conn.synced = true;
  const clock = await db.read<{ last_value: string; is_called: boolean }>('SELECT last_value, is_called FROM status_clock');
  const cursor = clock[0]?.is_called ? Number(clock[0].last_value) : 0;
  const lastSeqs = frame.lastSeqs ?? {};
  const ids = conversations.map((conversation) => conversation.id);
  const after = ids.map((id) => lastSeqs[String(id)] ?? 0);
  const lastSeqRows = await db.read<{ id: string; last_seq: string }>('SELECT id, last_seq FROM conversations WHERE id = ANY($1::bigint[])', [ids]);
  const lastSeqOf = new Map(lastSeqRows.map((row) => [Number(row.id), Number(row.last_seq)]));
  conn.reply({
    type: 'conversations',
    items: conversations.map((conversation) => ({
      id: conversation.id,
      kind: conversation.kind,
      members: conversation.members.length,
      lastSeq: lastSeqOf.get(conversation.id) ?? 0,
    })),
  });
  const behind = ids.filter((id, index) => (lastSeqOf.get(id) ?? 0) > after[index]!);
  // a client that went away mid-sync gets no statuses and no `synced`: it will sync again
  if (behind.length && !(await sendBacklog(db, ids, after, ctx.limits, conn.reply, conn.drained))) return;
  if (frame.statusCursor !== undefined) {
    for (const status of await ctx.model.statusSince(db, conn.userId, conversations, frame.statusCursor)) replyCounted(ctx, conn, action, status);
  }
  const settings = frame.wantSettings ? { readReceipts: await ctx.model.getReadReceipts(db, conn.userId) } : undefined;
  conn.reply({ type: 'synced', statusCursor: cursor, ...(settings ? { settings } : {}) });
};

// One statement, atomic on its own (no BEGIN/COMMIT needed where the model adds no rows): a
// resend is answered from `dup`; otherwise the conversation row is locked as an UPDATE would
// lock it (FOR NO KEY UPDATE waits for a concurrent sender, then reads its committed last_seq),
// the message is inserted with the next seq, and only a stored message moves last_seq, so seqs
// stay gap-free. A resend racing its original (both past `dup` before either committed)
// conflicts on the tempId and writes nothing: no row, no bump, no failed statement (a failed
// statement's attempted rows reach Postgres's tuple counters but no result the query layer could
// count, which made such runs falsely inconsistent), so there is no gap a transaction must undo.
export const STORE_MESSAGE = `
WITH dup AS (
  SELECT seq FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND temp_id = $3
), locked AS (
  SELECT last_seq + 1 AS seq FROM conversations WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM dup) FOR NO KEY UPDATE
), stored AS (
  INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at)
  SELECT $1, seq, $2, $3, $4, $5 FROM locked
  ON CONFLICT (conversation_id, sender_id, temp_id) DO NOTHING RETURNING seq
), next AS (
  UPDATE conversations SET last_seq = stored.seq FROM stored WHERE conversations.id = $1 RETURNING last_seq
)
SELECT (SELECT seq FROM dup) AS existing, (SELECT seq FROM stored) AS seq,
  (SELECT count(*) FROM next) AS written_conversations, (SELECT count(*) FROM stored) AS written_messages`;

const send: Handler<'send'> = async (ctx, conn, frame) => {
  const conversation = requireMember(ctx, conn, frame.conversationId, frame.ref);
  const db = ctx.db.for('send');
  const duplicate = (seq: number) => conn.reply({ type: 'ack', tempId: frame.tempId, conversationId: frame.conversationId, seq, duplicate: true });
  let message: WireMessage | undefined;
  let existing: number | undefined;
  const store = async (tx: ActionDb) => {
    const sentAt = Date.now();
    const [row] = await tx.writeReported<{ existing: string | null; seq: string | null }>(STORE_MESSAGE, [
      frame.conversationId,
      conn.userId,
      frame.tempId,
      frame.body,
      sentAt,
    ]);
    if (row?.existing != null) {
      existing = Number(row.existing);
      return;
    }
    // the racing original committed first: nothing was written; answer with its ack
    if (row?.seq == null) throw new RacedResend();
    message = { conversationId: frame.conversationId, seq: Number(row!.seq), senderId: conn.userId, tempId: frame.tempId, body: frame.body, sentAt };
    await ctx.model.afterSend(writesOnSend ? tx : refusingStatements(tx, `${ctx.model.id}: writesOnSend said false for conversation ${conversation.id}`), message, conversation);
  };
  // the model's own rows for the message (naive group receipts) commit with it or not at all;
  // without such rows the message's one statement is atomic by itself
  const writesOnSend = sendIsTransaction(ctx.model, conversation);
  try {
    await (writesOnSend ? db.transaction(store) : store(db));
  } catch (error) {
    // a concurrent resend of the same tempId won the race: answer with the first ack
    if (error instanceof RacedResend || (error as { code?: string }).code === '23505') {
      const seq = await findByTempId(db, frame.conversationId, conn.userId, frame.tempId);
      if (seq !== undefined) return duplicate(seq);
    }
    throw error;
  }
  if (existing !== undefined) return duplicate(existing);
  if (!message) throw new Error('message was neither stored nor found');
  conn.reply({ type: 'ack', tempId: frame.tempId, conversationId: frame.conversationId, seq: message.seq, duplicate: false });
  const pushed: ServerFrame = { type: 'msg', ...message };
  const text = JSON.stringify(pushed);
  await Promise.all(
    conversation.members
      .filter((member) => member !== conn.userId)
      .map(async (member) => countWritten(ctx.metrics, 'msg', 'send', await ctx.sessions.deliver(member, pushed, text, 'send'))),
  );
};

class RacedResend extends Error {}

async function findByTempId(db: ActionDb, conversationId: number, senderId: number, tempId: string): Promise<number | undefined> {
  const rows = await db.read<{ seq: string }>('SELECT seq FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND temp_id = $3', [
    conversationId,
    senderId,
    tempId,
  ]);
  return rows[0] ? Number(rows[0].seq) : undefined;
}

const delivered: Handler<'delivered'> = async (ctx, conn, frame) => {
  const conversation = requireMember(ctx, conn, frame.conversationId, frame.ref);
  const pushes = await ctx.model.acknowledge(ctx.db.for('deliver'), { userId: conn.userId, conversation, upToSeq: frame.upToSeq, kind: 'delivered' });
  await pushAll(ctx, 'deliver', pushes);
};

const read: Handler<'read'> = async (ctx, conn, frame) => {
  const conversation = requireMember(ctx, conn, frame.conversationId, frame.ref);
  // the setting look-up is the cost of opening a chat; recording the read is the cost of reading
  if (!(await ctx.model.readReceiptsAllowed(ctx.db.for('open'), conn.userId, conversation))) return;
  const pushes = await ctx.model.acknowledge(ctx.db.for('read'), { userId: conn.userId, conversation, upToSeq: frame.upToSeq, kind: 'read' });
  await pushAll(ctx, 'read', pushes);
};

const setSettings: Handler<'set_settings'> = async (ctx, conn, frame) => {
  if (!conn.synced) throw new FrameError('invalid_frame', 'send "sync" first', frame.ref);
  await ctx.model.setReadReceipts(ctx.db.for('toggle'), conn.userId, frame.readReceipts);
  conn.reply({ type: 'settings', readReceipts: frame.readReceipts });
};

const readBy: Handler<'read_by'> = async (ctx, conn, frame) => {
  const conversation = requireMember(ctx, conn, frame.conversationId, frame.ref);
  const count = await ctx.model.readBy(ctx.db.for('read_by'), conversation, frame.seq);
  conn.reply({ type: 'read_by', conversationId: frame.conversationId, seq: frame.seq, readBy: count, of: conversation.members.length - 1 });
};

// presence is a 1:1 feature: a group chat shows no one's online status, so it watches no one
const openConversation: Handler<'open_conversation'> = async (ctx, conn, frame) => {
  const conversation = requireMember(ctx, conn, frame.conversationId, frame.ref);
  const peers = conversation.kind === 'direct' ? conversation.members.filter((member) => member !== conn.userId) : [];
  await ctx.sessions.watch(conn.socket, conversation.id, peers);
};

const closeConversation: Handler<'close_conversation'> = async (ctx, conn, frame) => {
  requireMember(ctx, conn, frame.conversationId, frame.ref);
  await ctx.sessions.unwatch(conn.socket, frame.conversationId);
};

const ping: Handler<'ping'> = async (_ctx, conn) => {
  conn.reply({ type: 'pong' });
};

export const HANDLERS: { [T in ClientFrame['type']]: Handler<T> } = {
  sync,
  send,
  delivered,
  read,
  set_settings: setSettings,
  read_by: readBy,
  open_conversation: openConversation,
  close_conversation: closeConversation,
  ping,
};

/** The action a frame stands for, which the audit checks its database writes against. */
const FRAME_ACTIONS: { [T in ClientFrame['type']]: ((frame: Extract<ClientFrame, { type: T }>) => ActionKind) | undefined } = {
  sync: syncAction,
  send: () => 'send',
  delivered: () => 'deliver',
  read: () => 'read',
  set_settings: () => 'toggle',
  read_by: () => 'read_by',
  open_conversation: undefined,
  close_conversation: undefined,
  ping: undefined,
};

export async function handleFrame(ctx: HandlerContext, conn: ConnectionState, frame: ClientFrame): Promise<void> {
  const handler = HANDLERS[frame.type] as Handler<typeof frame.type>;
  const origin = (FRAME_ACTIONS[frame.type] as ((frame: ClientFrame) => ActionKind) | undefined)?.(frame);
  if (origin && ctx.audit?.wants(origin)) return audited(ctx, ctx.audit, origin, conn, (auditedCtx, auditedConn) => handler(auditedCtx, auditedConn, frame as never));
  await handler(ctx, conn, frame as never);
}

/**
 * Runs a frame inside its audit's transaction. Its first output (a reply, or a frame for another
 * user) ends the transaction first, as a committed write precedes every answer on the normal path:
 * replies wait in order until the commit, deliveries await it.
 */
async function audited(
  ctx: HandlerContext,
  audit: AttributionAudit,
  origin: ActionKind,
  conn: ConnectionState,
  run: (ctx: HandlerContext, conn: ConnectionState) => Promise<void>,
): Promise<void> {
  const frame = await audit.begin(origin);
  let held: ServerFrame[] | undefined = [];
  let failed = false;
  const release = async () => {
    try {
      await frame.finish();
    } catch (error) {
      // the commit failed: the held answers (an ack above all) speak of writes that are not
      // stored, so they are dropped and the frame is answered with an error instead
      held = undefined;
      failed = true;
      throw error;
    }
    const frames = held ?? [];
    held = undefined;
    for (const reply of frames) conn.reply(reply);
  };
  const reply = (answer: ServerFrame) => {
    if (failed) return 0;
    if (!held) return conn.reply(answer);
    held.push(answer);
    // the failure surfaces where the frame ends (the `finally` below awaits the same commit)
    release().catch(() => {});
    return Buffer.byteLength(JSON.stringify(answer));
  };
  // the handler may set connection state (`synced`): everything but `reply` is the connection's own
  const auditedConn = new Proxy(conn, { get: (target, key) => (key === 'reply' ? reply : Reflect.get(target, key)) });
  const sessions = ctx.sessions;
  const auditedSessions = new Proxy(sessions, {
    get: (target, key) => {
      if (key === 'deliver') return async (...args: Parameters<SessionRegistry['deliver']>) => (await release(), target.deliver(...args));
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    await run({ ...ctx, db: frame.scope, sessions: auditedSessions }, auditedConn);
  } finally {
    await release();
  }
}
