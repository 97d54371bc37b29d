// What a chat client knows, derived only from frames the server pushed: messages held, acks to
// send, and the tick of every message it sent. Pure and free of Node imports, so the Node and
// k6 drivers share it (and it is tested on hand-built frame sequences).
import { STATUS_RANK, tickFrom, type ClientFrame, type ServerFrame, type Tick } from '../reference-server/protocol.ts';
import type { RestoredConversation } from '../scenarios/plan.ts';

interface Marks {
  d: number;
  r: number;
}

export interface ConversationView {
  id: number;
  kind: 'direct' | 'group';
  members: number;
  /** highest seq held with every seq below it held too (cumulative acks never skip a gap) */
  heldThrough: number;
  /**
   * seqs held above `heldThrough` (arrived past a gap): those at or below it leave the set, so a
   * client receiving in order holds no set of every message it ever got
   */
  held: Set<number>;
  /** messages of others received live or in a sync batch */
  receivedFromOthers: number;
  /** own messages: seq -> scheduled send time (epoch ms) */
  own: Map<number, number>;
  deliveredAcked: number;
  readAcked: number;
  /** watermark model: per-member marks, and a floor over all other members from a reconnect */
  marks: Map<number, Marks>;
  floor: Marks;
  /** naive model: per own message, per recipient, the highest status rank seen */
  statuses: Map<number, Map<number, number>>;
  /** messages seen since the last open, for readEvery */
  seenSinceOpen: number;
}

export interface ApplyResult {
  /** acks the client sends in response (cumulative delivery acks) */
  replies: ClientFrame[];
  /** live messages received: their scheduled send time, for delivery latency */
  delivered: { conversationId: number; seq: number; scheduledAt: number }[];
  duplicates: number;
}

export class ClientState {
  readonly conversations = new Map<number, ConversationView>();
  statusCursor: number | undefined;
  readReceipts: boolean | undefined;
  synced = false;

  constructor(readonly userId: number) {}

  conversation(id: number): ConversationView | undefined {
    return this.conversations.get(id);
  }

  apply(frame: ServerFrame): ApplyResult {
    const result: ApplyResult = { replies: [], delivered: [], duplicates: 0 };
    switch (frame.type) {
      case 'conversations':
        for (const item of frame.items) {
          const existing = this.conversations.get(item.id);
          if (existing) existing.members = item.members;
          else this.conversations.set(item.id, newView(item.id, item.kind, item.members));
        }
        break;
      case 'msg': {
        const view = this.conversations.get(frame.conversationId);
        if (!view) break;
        const before = view.heldThrough;
        if (!this.hold(view, frame.seq, frame.senderId)) result.duplicates += 1;
        else result.delivered.push({ conversationId: view.id, seq: frame.seq, scheduledAt: scheduledAtOf(frame.body) });
        this.ackDelivery(view, before, result);
        break;
      }
      case 'sync_batch': {
        const view = this.conversations.get(frame.conversationId);
        if (!view) break;
        const before = view.heldThrough;
        for (const message of frame.messages) {
          if (message.senderId === this.userId && !view.own.has(message.seq)) view.own.set(message.seq, message.sentAt);
          if (!this.hold(view, message.seq, message.senderId)) result.duplicates += 1;
        }
        this.ackDelivery(view, before, result);
        break;
      }
      case 'ack': {
        const view = this.conversations.get(frame.conversationId);
        if (view && !isHeld(view, frame.seq)) this.hold(view, frame.seq, this.userId);
        break;
      }
      case 'status': {
        const view = this.conversations.get(frame.conversationId);
        if (!view) break;
        let perRecipient = view.statuses.get(frame.seq);
        if (!perRecipient) view.statuses.set(frame.seq, (perRecipient = new Map()));
        perRecipient.set(frame.userId, Math.max(perRecipient.get(frame.userId) ?? 0, STATUS_RANK[frame.status]));
        break;
      }
      case 'status_update': {
        const view = this.conversations.get(frame.conversationId);
        if (!view) break;
        if (frame.userId === undefined) {
          view.floor = { d: Math.max(view.floor.d, frame.lastDeliveredSeq), r: Math.max(view.floor.r, frame.lastReadSeq) };
        } else {
          const old = view.marks.get(frame.userId) ?? { d: 0, r: 0 };
          view.marks.set(frame.userId, { d: Math.max(old.d, frame.lastDeliveredSeq), r: Math.max(old.r, frame.lastReadSeq) });
        }
        break;
      }
      case 'synced':
        this.synced = true;
        this.statusCursor = frame.statusCursor;
        if (frame.settings) this.readReceipts = frame.settings.readReceipts;
        break;
      case 'settings':
        this.readReceipts = frame.readReceipts;
        break;
      default:
        break;
    }
    return result;
  }

  /**
   * The state a sync before any status change leaves (its conversation list, cursor 0), with own
   * messages 1..own held, as on a device that logged in, sent them and went offline. No send time
   * is known for them: they take no part in latency.
   */
  restore(conversations: RestoredConversation[]): void {
    this.apply({ type: 'conversations', items: conversations.map(({ id, kind, members }) => ({ id, kind, members, lastSeq: 0 })) });
    this.statusCursor = 0;
    for (const conversation of conversations) {
      for (let seq = 1; seq <= conversation.own; seq++) this.ownSent(conversation.id, seq, Number.NaN);
    }
  }

  /** records an own message the moment it is acked, with its scheduled send time */
  ownSent(conversationId: number, seq: number, scheduledAt: number): void {
    const view = this.conversations.get(conversationId);
    if (!view) return;
    view.own.set(seq, scheduledAt);
    if (!isHeld(view, seq)) this.hold(view, seq, this.userId);
  }

  /**
   * The read ack an open produces, or nothing: nothing new to read, or (for a client that caches
   * settings) read receipts are off.
   */
  open(conversationId: number, cachesSettings: boolean): ClientFrame | undefined {
    const view = this.conversations.get(conversationId);
    if (!view) return undefined;
    view.seenSinceOpen = 0;
    if (cachesSettings && this.readReceipts === false) return undefined;
    const upTo = view.heldThrough;
    if (upTo <= view.readAcked) return undefined;
    view.readAcked = upTo;
    return { type: 'read', conversationId, upToSeq: upTo };
  }

  tick(conversationId: number, seq: number): Tick {
    const view = this.conversations.get(conversationId);
    if (!view) return 'sent';
    const recipients = view.members - 1;
    if (view.floor.r >= seq) return 'read';
    let delivered = 0;
    let read = 0;
    const statuses = view.statuses.get(seq);
    if (statuses) {
      for (const rank of statuses.values()) {
        if (rank >= STATUS_RANK.delivered) delivered += 1;
        if (rank >= STATUS_RANK.read) read += 1;
      }
    }
    for (const [member, marks] of view.marks) {
      if (member === this.userId) continue;
      if (Math.max(marks.d, view.floor.d) >= seq) delivered += 1;
      if (Math.max(marks.r, view.floor.r) >= seq) read += 1;
    }
    if (view.floor.d >= seq) delivered = Math.max(delivered, recipients);
    return tickFrom(recipients, delivered, read);
  }

  /** every own message holds at least `tick` */
  allOwnAtLeast(tick: Tick, conversationIds?: number[]): boolean {
    for (const view of this.conversations.values()) {
      if (conversationIds && !conversationIds.includes(view.id)) continue;
      for (const seq of view.own.keys()) if (STATUS_RANK[this.tick(view.id, seq)] < STATUS_RANK[tick]) return false;
    }
    return true;
  }

  /** the highest own seq that `reader` is known to have read through, in one conversation */
  readThrough(conversationId: number, reader: number): number {
    const view = this.conversations.get(conversationId);
    if (!view) return 0;
    const marks = view.marks.get(reader);
    let through = Math.max(view.floor.r, marks?.r ?? 0);
    if (view.statuses.size) {
      for (const seq of [...view.own.keys()].sort((a, b) => a - b)) {
        if ((view.statuses.get(seq)?.get(reader) ?? 0) >= STATUS_RANK.read) through = Math.max(through, seq);
        else break;
      }
    }
    return through;
  }

  /** the last seq acked per conversation, sent on reconnect so the server sends only what is missing */
  lastSeqs(): Record<string, number> {
    return Object.fromEntries([...this.conversations.values()].map((view) => [String(view.id), view.heldThrough]));
  }

  private hold(view: ConversationView, seq: number, senderId: number): boolean {
    if (isHeld(view, seq)) return false;
    if (senderId !== this.userId) view.receivedFromOthers += 1;
    view.seenSinceOpen += 1;
    if (seq !== view.heldThrough + 1) {
      view.held.add(seq);
      return true;
    }
    view.heldThrough = seq;
    while (view.held.delete(view.heldThrough + 1)) view.heldThrough += 1;
    return true;
  }

  /**
   * Acks delivery only when this frame moved `heldThrough`. An own message's ack also moves it
   * (without a delivery ack: nobody waits on the sender's delivery of its own message), and a read
   * sent at that point already moved the server's delivered mark there (a read implies delivery):
   * acking the old `heldThrough` on a later out-of-order or repeated message would then be an ack
   * that moves nothing, a stray write attempt in the per-ack figures. A frame that moves
   * `heldThrough` takes it past every delivered or read ack sent before, so every delivery ack moves.
   */
  private ackDelivery(view: ConversationView, heldBefore: number, result: ApplyResult): void {
    if (view.heldThrough > heldBefore && view.heldThrough > view.deliveredAcked) {
      view.deliveredAcked = view.heldThrough;
      result.replies.push({ type: 'delivered', conversationId: view.id, upToSeq: view.heldThrough });
    }
  }
}

function isHeld(view: ConversationView, seq: number): boolean {
  return seq <= view.heldThrough || view.held.has(seq);
}

function newView(id: number, kind: 'direct' | 'group', members: number): ConversationView {
  return {
    id,
    kind,
    members,
    heldThrough: 0,
    held: new Set(),
    receivedFromOthers: 0,
    own: new Map(),
    deliveredAcked: 0,
    readAcked: 0,
    marks: new Map(),
    floor: { d: 0, r: 0 },
    statuses: new Map(),
    seenSinceOpen: 0,
  };
}

/** message bodies carry their scheduled send time so receivers can measure delivery latency */
export function messageBody(scheduledAt: number): string {
  return `{"s":${scheduledAt}}`;
}

const BODY_HEAD = '{"s":';

/**
 * The scheduled time in a body messageBody wrote, NaN for any other body. Read per delivered
 * message, so by character codes rather than a regular expression (whose match array and capture
 * string were garbage per message); it accepts exactly what /^\{"s":([0-9.]+)\}$/ does.
 */
export function scheduledAtOf(body: string): number {
  const end = body.length - 1;
  if (end <= BODY_HEAD.length || !body.startsWith(BODY_HEAD) || body.charCodeAt(end) !== 0x7d /* } */) return Number.NaN;
  for (let index = BODY_HEAD.length; index < end; index++) {
    const code = body.charCodeAt(index);
    if ((code < 0x30 || code > 0x39) && code !== 0x2e /* . */) return Number.NaN;
  }
  return Number(body.slice(BODY_HEAD.length, end));
}
