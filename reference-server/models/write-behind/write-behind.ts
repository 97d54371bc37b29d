// write-behind: Discord's read states. Each node keeps per-user-per-conversation watermarks in its
// own memory; an ack is answered and its status pushed to the senders at once, and every
// `flushMs` the marks that changed are written to Postgres in one batched statement (the action
// `flush`): marks moved twice in a window cost one row. Reads (reconnect catch-up, "read by",
// ticks) overlay the node's buffer on Postgres. What a crash loses is what was buffered: the
// node's `pending()` window says how much, and the run measures it.
import { fileURLToPath } from 'node:url';
import type { ActionDb } from '../../db/query-layer.ts';
import type { ServerFrame } from '../../protocol.ts';
import type { Ack, ConversationMeta, Marks, ModelContext, ModelDefinition, ReceiptModel, StatusPush } from '../types.ts';
import { storedMarks, ticksFromMarks, watermarkReceipts } from '../watermark/watermark.ts';
import { ReadStateBuffer, type BufferedMarks } from './buffer.ts';

// the ack's whole database cost: the clamp, what Postgres holds, and a status clock value
const ACK_STATE = `
SELECT c.last_seq, coalesce(ms.last_delivered_seq, 0) AS d, coalesce(ms.last_read_seq, 0) AS r, nextval('status_clock') AS v
FROM conversations c LEFT JOIN message_status ms ON ms.conversation_id = c.id AND ms.user_id = $1
WHERE c.id = $2`;

// one statement per flush, one row per (user, conversation) that changed since the last one
const FLUSH = `
INSERT INTO message_status AS ms (user_id, conversation_id, last_delivered_seq, last_read_seq, version)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
ON CONFLICT (user_id, conversation_id) DO UPDATE SET
  last_delivered_seq = GREATEST(ms.last_delivered_seq, EXCLUDED.last_delivered_seq),
  last_read_seq = GREATEST(ms.last_read_seq, EXCLUDED.last_read_seq),
  version = GREATEST(ms.version, EXCLUDED.version)`;

// watermark's catch-up query with the buffer laid over Postgres ($4..$8: buffered marks)
const STATUS_SINCE = `
WITH p AS (
  SELECT * FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) AS p(user_id, conversation_id, d, r, version)
), changed AS (
  SELECT conversation_id FROM message_status WHERE conversation_id = ANY($2::bigint[]) AND user_id <> $1 AND version > $3
  UNION SELECT conversation_id FROM p WHERE user_id <> $1 AND version > $3
)
SELECT m.conversation_id,
  min(GREATEST(coalesce(ms.last_delivered_seq, 0), coalesce(p.d, 0))) AS d,
  min(GREATEST(coalesce(ms.last_read_seq, 0), coalesce(p.r, 0))) AS r
FROM members m
LEFT JOIN message_status ms ON ms.conversation_id = m.conversation_id AND ms.user_id = m.user_id
LEFT JOIN p ON p.conversation_id = m.conversation_id AND p.user_id = m.user_id
WHERE m.user_id <> $1 AND m.conversation_id IN (SELECT conversation_id FROM changed)
GROUP BY m.conversation_id`;

const READ_BY = `
SELECT count(*) AS n FROM members m
LEFT JOIN message_status ms ON ms.conversation_id = m.conversation_id AND ms.user_id = m.user_id
LEFT JOIN unnest($3::bigint[], $4::bigint[]) AS p(user_id, r) ON p.user_id = m.user_id
WHERE m.conversation_id = $1 AND GREATEST(coalesce(ms.last_read_seq, 0), coalesce(p.r, 0)) >= $2
  AND m.user_id <> (SELECT sender_id FROM messages WHERE conversation_id = $1 AND seq = $2)`;

export const WRITE_BEHIND_OPTIONS = {
  flushMs: { default: 1000, min: 1, max: 600_000, unit: 'ms', description: 'how often the buffered read states that changed are written to Postgres, in one statement' },
};

class WriteBehindReceipts implements ReceiptModel {
  readonly id = 'write-behind';
  private readonly buffer = new ReadStateBuffer();
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly context: ModelContext) {
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) => context.log(`write-behind flush failed (kept for the next one): ${error instanceof Error ? error.message : String(error)}`));
    }, context.options.flushMs!);
    this.timer.unref();
  }

  afterSend = watermarkReceipts.afterSend;
  writesOnSend = watermarkReceipts.writesOnSend;
  readReceiptsAllowed = watermarkReceipts.readReceiptsAllowed;
  setReadReceipts = watermarkReceipts.setReadReceipts;
  getReadReceipts = watermarkReceipts.getReadReceipts;
  // history is setup, not acks: straight to Postgres, as watermark stores it
  importReceipts = watermarkReceipts.importReceipts;

  async acknowledge(db: ActionDb, ack: Ack): Promise<StatusPush[]> {
    // before the read: a flush committing during it would take its entry out of the buffer after
    // the read's snapshot was taken, and neither side would show it
    const before = this.buffer.get(ack.userId, ack.conversation.id);
    const [row] = await db.read<{ last_seq: string; d: string; r: string; v: string }>(ACK_STATE, [ack.userId, ack.conversation.id]);
    if (!row) return [];
    const target = Math.min(ack.upToSeq, Number(row.last_seq));
    const stored = { d: Number(row.d), r: Number(row.r) };
    // and after it: a concurrent ack of the same member may have moved it meanwhile
    const current = over(over(stored, before), this.buffer.get(ack.userId, ack.conversation.id));
    const next = { d: Math.max(current.d, target), r: ack.kind === 'read' ? Math.max(current.r, target) : current.r };
    // an older or repeated ack (or one at seq 0) is a no-op: nothing buffered, no event
    if (next.d === current.d && next.r === current.r) return [];
    this.buffer.put({ userId: ack.userId, conversationId: ack.conversation.id, ...next, version: Number(row.v), base: stored });
    const frame: ServerFrame = { type: 'status_update', conversationId: ack.conversation.id, userId: ack.userId, lastDeliveredSeq: next.d, lastReadSeq: next.r };
    let senders: number[];
    if (ack.conversation.kind === 'direct') senders = ack.conversation.members.filter((member) => member !== ack.userId);
    else {
      const [from, to] = ack.kind === 'read' ? [current.r, next.r] : [current.d, next.d];
      const affected = await db.read<{ sender_id: string }>(
        'SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 AND sender_id <> $4',
        [ack.conversation.id, from, to, ack.userId],
      );
      senders = affected.map((sender) => Number(sender.sender_id));
    }
    return senders.map((to): StatusPush => ({ to, frame }));
  }

  async statusSince(db: ActionDb, userId: number, conversations: ConversationMeta[], cursor: number): Promise<ServerFrame[]> {
    if (conversations.length === 0) return [];
    const ids = new Set(conversations.map((conversation) => conversation.id));
    const buffered = this.buffer.entries((entry) => ids.has(entry.conversationId));
    const rows = await db.read<{ conversation_id: string; d: string; r: string }>(STATUS_SINCE, [
      userId,
      [...ids],
      cursor,
      ...columns(buffered, ['userId', 'conversationId', 'd', 'r', 'version']),
    ]);
    return rows.map((row) => ({ type: 'status_update', conversationId: Number(row.conversation_id), lastDeliveredSeq: Number(row.d), lastReadSeq: Number(row.r) }));
  }

  async readBy(db: ActionDb, conversation: ConversationMeta, seq: number): Promise<number> {
    const buffered = this.buffer.entries((entry) => entry.conversationId === conversation.id);
    const rows = await db.read<{ n: string }>(READ_BY, [conversation.id, seq, ...columns(buffered, ['userId', 'r'])]);
    return Number(rows[0]?.n ?? 0);
  }

  async ticks(db: ActionDb, conversation: ConversationMeta) {
    const messages = await db.read<{ seq: string; sender_id: string }>('SELECT seq, sender_id FROM messages WHERE conversation_id = $1', [conversation.id]);
    const marks = await this.marks(db, conversation);
    return ticksFromMarks(conversation, messages.map((message) => ({ seq: Number(message.seq), sender: Number(message.sender_id) })), marks);
  }

  async marks(db: ActionDb, conversation: ConversationMeta): Promise<Map<number, Marks>> {
    // taken before the read, like every overlay here (see acknowledge)
    const buffered = this.buffer.entries((candidate) => candidate.conversationId === conversation.id);
    const marks = await storedMarks(db, conversation);
    for (const entry of buffered) {
      marks.set(entry.userId, over(marks.get(entry.userId) ?? { d: 0, r: 0 }, entry));
    }
    return marks;
  }

  /** flushes run one after another; an empty buffer costs nothing and is not a flush */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.writeBuffered());
    this.chain = run.catch(() => {});
    return run;
  }

  pending() {
    return this.buffer.window();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writeBuffered(): Promise<void> {
    if (this.buffer.size === 0) return;
    const batch = this.buffer.beginFlush();
    try {
      this.context.count('flush');
      await this.context.db.for('flush').write(FLUSH, columns(batch, ['userId', 'conversationId', 'd', 'r', 'version']));
      this.buffer.flushed();
    } catch (error) {
      this.buffer.failed();
      throw error;
    }
  }
}

function over(stored: Marks, buffered: Marks | undefined): Marks {
  return buffered ? { d: Math.max(stored.d, buffered.d), r: Math.max(stored.r, buffered.r) } : stored;
}

/** entries as parallel arrays, for unnest() */
function columns(entries: BufferedMarks[], keys: (keyof Omit<BufferedMarks, 'base'>)[]): number[][] {
  return keys.map((key) => entries.map((entry) => entry[key]));
}

export const writeBehind: ModelDefinition = {
  id: 'write-behind',
  description: 'watermarks per user per conversation held in the node\'s memory, acked and pushed at once, written to Postgres in one batched statement every flushMs',
  design: "Discord's read states (a cache of per-channel read marks, committed well after the last update: far fewer database writes); the seeds' Telegram counters flushed every 10 s and Slack's write-behind. Lost on a crash: what the last window held",
  migrationsDir: fileURLToPath(new URL('.', import.meta.url)),
  client: { cachesSettings: true },
  capabilities: {},
  options: WRITE_BEHIND_OPTIONS,
  traits: () => ({ receipts: () => 'watermark', durability: 'write-behind', settings: 'per-user' }),
  create: (context) => new WriteBehindReceipts(context),
};
