// One simulated chat user, written once for both drivers against a small Transport (`ws` in the
// Node driver, `k6/websockets` in k6). It executes plan steps and behaves like a real client:
// cumulative delivery acks, ticks derived from pushes, settings cached at login when the model's
// client does so, reconnect from its cursor, failover to the next node with unacked sends resent
// by tempId, and it logs what receipt latency needs (drivers/client/receipts.ts).
// No Node or k6 imports.
import type { ActionKind } from '../../analysis/metric-names.ts';
import type { ClientFrame, ServerFrame } from '../../reference-server/protocol.ts';
import type { Step } from '../../scenarios/plan.ts';
import { ClientState, messageBody } from '../client-state.ts';
import { nowMs } from './clock.ts';
import { encodeClientFrame } from './encode.ts';
import { ALL_READERS, type ReceiptLogPart } from './receipts.ts';
import type { ClientSocket, SocketEvents, Transport } from './transport.ts';

export const SIM_CLIENT_DEFAULTS = {
  /**
   * how long a client keeps trying to reach a node (any node) before its step fails: counted from
   * its first attempt, and well past any storm window, where a refused handshake is load, not loss
   */
  reconnectDeadlineMs: 120_000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1000,
};

/** Where a client's figures go: a latency recorder and counters in Node, k6 metrics in k6. */
export interface ClientSink {
  latency(metric: 'latency.ack' | 'latency.delivery' | 'latency.sync', valueMs: number): void;
  count(action: ActionKind): void;
  error(code: string): void;
  /** the socket dropped unexpectedly and the client is synced again (failover) */
  recovered(droppedAt: number, syncedAt: number): void;
  /**
   * a frame sent again after a failover (a send by its tempId, a delivered or read ack): the
   * server counts its statements, so it is reported as a figure of its own, not hidden
   */
  resent(action: 'send' | 'deliver' | 'read'): void;
}

/** Shared by every client of one load-generator process. */
export interface ClientContext {
  transport: Transport;
  cachesSettings: boolean;
  sink: ClientSink;
  receipts: ReceiptLogPart;
}

interface PendingSend {
  scheduledAt: number;
  conversationId: number;
  body: string;
  resolve: () => void;
}

export class SimClient implements SocketEvents {
  readonly state: ClientState;
  private socket: ClientSocket | undefined;
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly pendingAcks = new Map<string, PendingSend>();
  private readonly replies = new Map<string, (frame: ServerFrame) => void>();
  private tempCounter = 0;
  /** set while reconnecting after an unexpected drop; frames meanwhile are resent once synced */
  private recovering: Promise<void> | undefined;
  private dropWaiters: (() => void)[] = [];
  /** while a connection syncs: fails the sync when the socket closes first */
  private syncFailed: ((error: Error) => void) | undefined;
  private closeWaiter: (() => void) | undefined;
  private leaving = false;
  private urlIndex = 0;
  /** 1:1 chats open on screen: the server pushes the peer's presence to them until the client leaves */
  private readonly onScreen = new Set<number>();
  /** per conversation, per reader: the read-through last logged for receipts (senders only) */
  private readSeen: Map<number, Map<number, number>> | undefined;
  readEvery: { conversationId: number; every: number } | undefined;

  constructor(
    readonly userId: number,
    /** every node's URL, home first: where to go when the home node is gone */
    private readonly urls: string[],
    private readonly token: string,
    private readonly context: ClientContext,
  ) {
    this.state = new ClientState(userId);
  }

  async run(step: Step, phaseStart: number): Promise<void> {
    switch (step.op) {
      case 'connect':
        return this.connect(phaseStart + (step.at ?? 0));
      case 'disconnect':
        return this.disconnect();
      case 'send':
        return this.sendScheduled(step.conversationId, step.at.map((offset) => phaseStart + offset));
      case 'awaitReceived':
        return this.until(() => (this.state.conversation(step.conversationId)?.receivedFromOthers ?? 0) >= step.count);
      case 'open': {
        // receipt latency runs from the read's scheduled time, or from when its step began
        const scheduledAt = step.at ? phaseStart + step.at : nowMs();
        await sleepUntil(scheduledAt);
        return this.open(step.conversationId, scheduledAt);
      }
      case 'toggle':
        return this.toggle(step.readReceipts);
      case 'readBy':
        return this.readBy(step.conversationId);
      case 'awaitTicks':
        return this.until(() => this.state.allOwnAtLeast(step.tick, step.conversationIds));
      case 'restore':
        this.state.restore(step.conversations);
        return;
    }
  }

  private async connect(scheduledAt: number): Promise<void> {
    await sleepUntil(scheduledAt);
    this.leaving = false;
    const reconnect = this.state.statusCursor !== undefined;
    await this.connectAnywhere(false);
    this.context.sink.count(reconnect ? 'reconnect' : 'connect');
    // status frames precede `synced`, so every tick is correct from this moment
    if (reconnect) this.context.sink.latency('latency.sync', nowMs() - scheduledAt);
  }

  /**
   * Connects and syncs, going on to the next node when one refuses or drops the connection
   * before the client is synced; fails after the deadline.
   */
  private async connectAnywhere(afterDrop: boolean): Promise<void> {
    const deadline = Date.now() + SIM_CLIENT_DEFAULTS.reconnectDeadlineMs;
    let backoff = SIM_CLIENT_DEFAULTS.reconnectBackoffMs;
    for (;;) {
      const url = this.urls[this.urlIndex % this.urls.length]!;
      try {
        await this.connectOnce(url, afterDrop);
        return;
      } catch (error) {
        this.context.sink.error('connect_failed');
        this.urlIndex += 1;
        if (Date.now() + backoff > deadline) throw error;
        // jittered, so clients refused together do not all come back in the same instant
        await sleepUntil(Date.now() + backoff * (0.5 + Math.random() / 2));
        backoff = Math.min(backoff * 2, SIM_CLIENT_DEFAULTS.reconnectBackoffMaxMs);
      }
    }
  }

  private async connectOnce(url: string, afterDrop: boolean): Promise<void> {
    const reconnect = this.state.statusCursor !== undefined;
    const socket = await this.context.transport.connect(`${url}/?token=${encodeURIComponent(this.token)}`, this);
    this.socket = socket;
    this.state.synced = false;
    const closedFirst = new Promise<never>((_, reject) => (this.syncFailed = reject));
    closedFirst.catch(() => {});
    this.send({
      type: 'sync',
      ...(reconnect ? { statusCursor: this.state.statusCursor, lastSeqs: this.state.lastSeqs() } : {}),
      ...(this.context.cachesSettings ? { wantSettings: true } : {}),
    });
    try {
      await Promise.race([this.until(() => this.state.synced), closedFirst]);
    } finally {
      this.syncFailed = undefined;
    }
    for (const [tempId, pending] of this.pendingAcks) {
      this.send({ type: 'send', tempId, conversationId: pending.conversationId, body: pending.body });
      if (afterDrop) this.context.sink.resent('send');
    }
    // acks and sends a dropped connection may have lost: the server dedups sends by tempId and
    // treats an ack it already has as a no-op, so resending is safe (at-least-once). A client
    // that left on purpose settled first and has nothing to resend.
    if (!afterDrop) return;
    for (const conversationId of this.onScreen) this.send({ type: 'open_conversation', conversationId });
    for (const view of this.state.conversations.values()) {
      if (view.deliveredAcked > 0) {
        this.send({ type: 'delivered', conversationId: view.id, upToSeq: view.deliveredAcked });
        this.context.sink.resent('deliver');
      }
      if (view.readAcked > 0) {
        this.send({ type: 'read', conversationId: view.id, upToSeq: view.readAcked });
        this.context.sink.resent('read');
      }
    }
  }

  onSocketError(): void {
    this.context.sink.error('socket');
  }

  onClosed(socket: ClientSocket, code: number): void {
    if (socket !== this.socket) return;
    if (this.syncFailed) return this.syncFailed(new Error(`user ${this.userId}: the server closed the connection (${code}) before sync`));
    if (this.closeWaiter) {
      const done = this.closeWaiter;
      this.closeWaiter = undefined;
      return done();
    }
    this.onDrop();
  }

  /** an unexpected close: reconnect (to the next node) with the cursor, unless leaving on purpose */
  private onDrop(): void {
    if (this.leaving || this.recovering) return;
    const droppedAt = nowMs();
    this.context.sink.error('dropped');
    this.state.synced = false;
    for (const waiter of this.dropWaiters.splice(0)) waiter();
    this.urlIndex += 1;
    this.recovering = this.connectAnywhere(true)
      .then(() => {
        this.context.sink.count('reconnect');
        this.context.sink.recovered(droppedAt, nowMs());
      })
      .finally(() => {
        this.recovering = undefined;
      });
    this.recovering.catch(() => this.context.sink.error('reconnect_failed'));
  }

  /** resolves at the next unexpected drop */
  private nextDrop(): Promise<void> {
    return new Promise((resolve) => this.dropWaiters.push(resolve));
  }

  /** sends a request and waits for its reply, again after a failover if the connection drops first */
  private async request(frame: ClientFrame, type: ServerFrame['type']): Promise<void> {
    for (;;) {
      if (this.recovering) await this.recovering;
      if (!this.socket?.isOpen) return;
      const reply = this.expectReply(type);
      const dropped = this.nextDrop();
      this.send(frame);
      if (await Promise.race([reply.then(() => true), dropped.then(() => false)])) return;
    }
  }

  /**
   * Waits until the server has handled every frame this client sent (frames of one connection are
   * handled in order, so a pong means all before it are done). Phases end only when the server is
   * done too, or acks sent at the end of one phase would leak into the next.
   */
  async settle(): Promise<void> {
    await this.request({ type: 'ping' }, 'pong');
  }

  async disconnect(): Promise<void> {
    if (!this.socket || this.socket.isClosed) return;
    await this.settle();
    this.leaving = true;
    this.onScreen.clear();
    const socket = this.socket;
    if (!socket.isClosed) {
      await new Promise<void>((resolve) => {
        this.closeWaiter = resolve;
        socket.close();
      });
    }
    this.socket = undefined;
  }

  private async sendScheduled(conversationId: number, times: number[]): Promise<void> {
    const acks: Promise<void>[] = [];
    for (const scheduledAt of times) {
      await sleepUntil(scheduledAt);
      const tempId = `${this.userId}-${++this.tempCounter}`;
      const body = messageBody(scheduledAt);
      acks.push(new Promise<void>((resolve) => this.pendingAcks.set(tempId, { scheduledAt, conversationId, body, resolve })));
      this.send({ type: 'send', tempId, conversationId, body });
      this.context.sink.count('send');
    }
    await Promise.all(acks);
  }

  private open(conversationId: number, scheduledAt: number): void {
    this.context.sink.count('open');
    const view = this.state.conversation(conversationId);
    if (view?.kind === 'direct' && !this.onScreen.has(conversationId)) {
      this.onScreen.add(conversationId);
      this.send({ type: 'open_conversation', conversationId });
    }
    const from = view?.readAcked ?? 0;
    const frame = this.state.open(conversationId, this.context.cachesSettings);
    if (!frame || frame.type !== 'read') return;
    this.send(frame);
    // a client that does not cache its setting still sends; the read only counts when receipts are on
    if (this.state.readReceipts !== false) {
      this.context.sink.count('read');
      this.context.receipts.reads.push(conversationId, this.userId, from, frame.upToSeq, scheduledAt);
    }
  }

  private async toggle(readReceipts: boolean): Promise<void> {
    await this.request({ type: 'set_settings', readReceipts }, 'settings');
    this.context.sink.count('toggle');
  }

  private async readBy(conversationId: number): Promise<void> {
    const view = this.state.conversation(conversationId);
    const lastOwn = view ? Math.max(0, ...view.own.keys()) : 0;
    if (!lastOwn) return;
    await this.request({ type: 'read_by', conversationId, seq: lastOwn }, 'read_by');
    this.context.sink.count('read_by');
  }

  private expectReply(type: ServerFrame['type']): Promise<ServerFrame> {
    return new Promise((resolve) => this.replies.set(type, resolve));
  }

  onText(_socket: ClientSocket, text: string): void {
    this.onFrame(JSON.parse(text) as ServerFrame);
  }

  private onFrame(frame: ServerFrame): void {
    const now = nowMs();
    const result = this.state.apply(frame);
    const sink = this.context.sink;
    if (frame.type === 'ack') {
      const pending = this.pendingAcks.get(frame.tempId);
      if (pending) {
        this.pendingAcks.delete(frame.tempId);
        this.state.ownSent(frame.conversationId, frame.seq, pending.scheduledAt);
        sink.latency('latency.ack', now - pending.scheduledAt);
        pending.resolve();
      }
    } else if (frame.type === 'error') {
      sink.error(frame.code);
    } else if (frame.type === 'status') {
      if (frame.status === 'read') this.logReadSeen(frame.conversationId, frame.userId, now);
    } else if (frame.type === 'status_update') {
      this.logReadSeen(frame.conversationId, frame.userId ?? ALL_READERS, now);
    }
    for (const delivered of result.delivered) {
      if (Number.isFinite(delivered.scheduledAt)) sink.latency('latency.delivery', now - delivered.scheduledAt);
    }
    if (result.duplicates) sink.error('duplicate_delivery');
    for (const reply of result.replies) {
      this.send(reply);
      sink.count('deliver');
    }
    const waiting = this.replies.get(frame.type);
    if (waiting) {
      this.replies.delete(frame.type);
      waiting(frame);
    }
    this.maybeReadEvery(frame);
    if (this.waiters.length) {
      // in place: a client waiting through a long broadcast checks on every frame, and a new
      // array per frame was garbage per delivered message
      let kept = 0;
      for (const waiter of this.waiters) {
        if (waiter.check()) waiter.resolve();
        else this.waiters[kept++] = waiter;
      }
      this.waiters.length = kept;
    }
  }

  /** a sender saw a read status: logs how far `reader` has now read its messages, when that grew */
  private logReadSeen(conversationId: number, reader: number, at: number): void {
    const view = this.state.conversation(conversationId);
    if (!view || view.own.size === 0) return;
    const through = reader === ALL_READERS ? view.floor.r : this.state.readThrough(conversationId, reader);
    let byReader = (this.readSeen ??= new Map()).get(conversationId);
    if (!byReader) this.readSeen.set(conversationId, (byReader = new Map()));
    if (through <= (byReader.get(reader) ?? 0)) return;
    byReader.set(reader, through);
    this.context.receipts.seen.push(conversationId, this.userId, reader, through, at);
  }

  /** own seqs per conversation, for matching receipts after the run */
  logOwn(): void {
    for (const view of this.state.conversations.values()) {
      if (view.own.size === 0) continue;
      const own = this.context.receipts.own;
      own.push(view.id, this.userId, view.own.size);
      for (const seq of view.own.keys()) own.push(seq);
    }
  }

  private maybeReadEvery(frame: ServerFrame): void {
    if (!this.readEvery || (frame.type !== 'msg' && frame.type !== 'ack' && frame.type !== 'sync_batch')) return;
    const view = this.state.conversation(this.readEvery.conversationId);
    if (view && view.seenSinceOpen >= this.readEvery.every) this.open(view.id, nowMs());
  }

  private send(frame: ClientFrame): void {
    if (this.socket?.isOpen) this.socket.send(encodeClientFrame(frame));
    // while failing over, sends and acks wait to be resent once synced again
    else if (!this.recovering) this.context.sink.error('send_while_closed');
  }

  private until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }
}

/** Global timers: Node and k6 (>= 1.0) both have them. */
export function sleepUntil(epochMs: number): Promise<void> {
  const delay = epochMs - Date.now();
  return delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
}
