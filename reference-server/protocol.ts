// The wire protocol: typed JSON frames, validated at the boundary. No Node imports (the k6 driver
// shares this file). Every client frame may carry `ref`, echoed in the error frame it causes.

export const MAX_FRAME_BYTES = 64 * 1024;

export type Tick = 'sent' | 'delivered' | 'read';
export const STATUS_RANK: Record<Tick, number> = { sent: 0, delivered: 1, read: 2 };

export type ClientFrame =
  | { type: 'send'; tempId: string; conversationId: number; body: string; ref?: string }
  | { type: 'delivered'; conversationId: number; upToSeq: number; ref?: string }
  | { type: 'read'; conversationId: number; upToSeq: number; ref?: string }
  /** first frame after connecting; without statusCursor it is a first login (`connect`) */
  | { type: 'sync'; statusCursor?: number; lastSeqs?: Record<string, number>; wantSettings?: boolean; ref?: string }
  | { type: 'set_settings'; readReceipts: boolean; ref?: string }
  | { type: 'read_by'; conversationId: number; seq: number; ref?: string }
  /**
   * the chat is on screen: the server answers with the peer's presence and pushes its changes
   * until the chat is closed (presence goes only to open chats, never to every contact)
   */
  | { type: 'open_conversation'; conversationId: number; ref?: string }
  | { type: 'close_conversation'; conversationId: number; ref?: string }
  | { type: 'ping'; ref?: string };

export interface WireMessage {
  conversationId: number;
  seq: number;
  senderId: number;
  tempId: string;
  body: string;
  /** server time the message was stored, ms since epoch */
  sentAt: number;
}

export interface ConversationInfo {
  id: number;
  kind: 'direct' | 'group';
  /** all members including the user */
  members: number;
  lastSeq: number;
}

export type ServerFrame =
  | { type: 'ack'; tempId: string; conversationId: number; seq: number; duplicate: boolean }
  | ({ type: 'msg' } & WireMessage)
  | { type: 'conversations'; items: ConversationInfo[] }
  | { type: 'sync_batch'; conversationId: number; messages: WireMessage[] }
  | { type: 'synced'; statusCursor: number; settings?: { readReceipts: boolean } }
  /** naive: one per message (per recipient in groups) per transition */
  | { type: 'status'; conversationId: number; seq: number; userId: number; status: Exclude<Tick, 'sent'> }
  /** watermark: one member's watermarks (live), or without userId the floor over all other members (sync) */
  | { type: 'status_update'; conversationId: number; userId?: number; lastDeliveredSeq: number; lastReadSeq: number }
  | { type: 'settings'; readReceipts: boolean }
  | { type: 'read_by'; conversationId: number; seq: number; readBy: number; of: number }
  | { type: 'pong' }
  /** a peer of an open direct chat: online, or offline with when it was last seen (when known) */
  | { type: 'presence'; conversationId: number; userId: number; status: 'online' | 'offline'; lastSeen?: number }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string };

/** Stable error codes: clients and tests match on these, never on messages. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_frame',
  'unknown_type',
  'not_a_member',
  'unauthorized',
  'rate_limited',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Close codes (4000-4999 are the application's). 1009 (too big) comes from the socket layer. */
export const CLOSE_CODES = {
  unauthorized: 4401,
  flood: 4429,
  shuttingDown: 1001,
  /** the node lost its session registry (cluster mode): reconnect, to this node or another */
  registryLost: 1012,
  /** the session registry is unreachable right now: try again later */
  tryAgainLater: 1013,
  /** the client did not take what it was sent (outgoing buffer over its bound): read faster */
  slowConsumer: 4008,
  /** the user already has the maximum number of connections open on this node */
  tooManyConnections: 4409,
} as const;

export class FrameError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly ref?: string,
  ) {
    super(message);
  }
}

type FieldKind = 'string' | 'id' | 'seq' | 'boolean' | 'seqMap';
const FRAME_FIELDS: Record<ClientFrame['type'], Record<string, { kind: FieldKind; optional?: boolean }>> = {
  send: { tempId: { kind: 'string' }, conversationId: { kind: 'id' }, body: { kind: 'string' } },
  delivered: { conversationId: { kind: 'id' }, upToSeq: { kind: 'seq' } },
  read: { conversationId: { kind: 'id' }, upToSeq: { kind: 'seq' } },
  sync: { statusCursor: { kind: 'seq', optional: true }, lastSeqs: { kind: 'seqMap', optional: true }, wantSettings: { kind: 'boolean', optional: true } },
  set_settings: { readReceipts: { kind: 'boolean' } },
  read_by: { conversationId: { kind: 'id' }, seq: { kind: 'seq' } },
  open_conversation: { conversationId: { kind: 'id' } },
  close_conversation: { conversationId: { kind: 'id' } },
  ping: {},
};
const MAX_TEMP_ID = 128;
const MAX_INT = 2 ** 31 - 1;

/** a UTF-16 surrogate with no partner: JSON lets a client send one as `\\ud800` */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a client string cannot be stored as given, if it cannot. Postgres text holds neither NUL
 * nor lone surrogates: a NUL fails the statement, and a lone surrogate is stored as U+FFFD, so two
 * different tempIds ("T\\ud800", "T\\udfff") became the same row and the second send was acked
 * with the first one's seq and never stored.
 */
export function unstorableString(value: string): string | undefined {
  if (value.includes('\0')) return 'must not contain NUL (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone UTF-16 surrogates)';
  return undefined;
}

function checkField(name: string, kind: FieldKind, value: unknown): string | undefined {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') return `${name} must be a string`;
      if (name === 'tempId' && (value.length === 0 || value.length > MAX_TEMP_ID)) return `tempId must be 1..${MAX_TEMP_ID} characters`;
      {
        // every string field of a client frame reaches the database (tempId, body)
        const problem = unstorableString(value);
        return problem ? `${name} ${problem}` : undefined;
      }
    case 'id':
      return Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_INT ? undefined : `${name} must be a positive integer`;
    case 'seq':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= Number.MAX_SAFE_INTEGER ? undefined : `${name} must be a non-negative integer`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} must be a boolean`;
    case 'seqMap': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${name} must be an object of conversationId -> seq`;
      for (const [key, seq] of Object.entries(value)) {
        // bounded like every other seq: a larger one would fail as a bigint in the sync query
        if (!/^[1-9][0-9]{0,9}$/.test(key) || !Number.isInteger(seq) || (seq as number) < 0 || (seq as number) > Number.MAX_SAFE_INTEGER) {
          return `${name} must map conversation ids to non-negative integers`;
        }
      }
      return undefined;
    }
  }
}

/** Parses one text frame into a typed client frame, or throws FrameError with a stable code. */
export function parseClientFrame(text: string): ClientFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FrameError('invalid_json', 'frame is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FrameError('invalid_frame', 'frame must be a JSON object');
  const record = data as Record<string, unknown>;
  const ref = typeof record.ref === 'string' && record.ref.length <= MAX_TEMP_ID ? record.ref : undefined;
  if (typeof record.type !== 'string') throw new FrameError('invalid_frame', 'frame has no string "type"', ref);
  const fields = FRAME_FIELDS[record.type as ClientFrame['type']];
  if (!fields || !Object.hasOwn(FRAME_FIELDS, record.type)) {
    throw new FrameError('unknown_type', `unknown frame type "${record.type.slice(0, 40)}"; expected one of ${Object.keys(FRAME_FIELDS).join(', ')}`, ref);
  }
  for (const [name, spec] of Object.entries(fields)) {
    const value = record[name];
    if (value === undefined) {
      if (spec.optional) continue;
      throw new FrameError('invalid_frame', `${record.type}: missing field "${name}"`, ref);
    }
    const problem = checkField(name, spec.kind, value);
    if (problem) throw new FrameError('invalid_frame', `${record.type}: ${problem}`, ref);
  }
  // handlers echo `ref` in the errors they raise: only a string of bounded length, as above
  if (ref === undefined) delete record.ref;
  return record as unknown as ClientFrame;
}

/** The tick a sender sees for one message, from how many recipients reached each state. */
export function tickFrom(recipients: number, deliveredCount: number, readCount: number): Tick {
  if (recipients <= 0) return 'read';
  if (readCount >= recipients) return 'read';
  if (deliveredCount >= recipients) return 'delivered';
  return 'sent';
}
