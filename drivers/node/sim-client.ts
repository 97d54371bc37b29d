// One simulated chat user on a real WebSocket: executes plan steps, behaves like a real client
// (cumulative delivery acks, ticks derived from pushes, settings cached at login when the model's
// client does so, reconnect from its cursor) and records what it did and how long things took.
import WebSocket from 'ws';
import type { ActionKind } from '../../analysis/metric-names.ts';
import type { ClientFrame, ServerFrame } from '../../reference-server/protocol.ts';
import type { Step } from '../../scenarios/plan.ts';
import { ClientState, messageBody } from '../client-state.ts';
import type { LatencyRecorder } from '../recorder.ts';

export const SIM_CLIENT_DEFAULTS = {
  /** how long a client keeps trying to reach a node (any node) before its step fails */
  reconnectDeadlineMs: 30_000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1000,
};

export interface ClientEnvironment {
  url: string;
  /** every node's URL, home first: where to go when the home node is gone */
  urls?: string[];
  /** the socket dropped unexpectedly and the client is synced again (failover) */
  recovered?(droppedAt: number, syncedAt: number): void;
  token: string;
  cachesSettings: boolean;
  recorder: LatencyRecorder;
  count(action: ActionKind): void;
  error(code: string): void;
  /** a read ack left this client: other local clients who sent the covered messages start a receipt clock */
  readSent(reader: number, conversationId: number, fromSeq: number, upToSeq: number): void;
  /** a status frame arrived at this client: pending receipt clocks may stop */
  statusReceived(client: SimClient, conversationId: number): void;
}

export class SimClient {
  readonly state: ClientState;
  private ws: WebSocket | undefined;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private pendingAcks = new Map<string, { scheduledAt: number; conversationId: number; body: string; resolve: () => void }>();
  private replies = new Map<string, (frame: ServerFrame) => void>();
  private tempCounter = 0;
  /** set while reconnecting after an unexpected drop; frames meanwhile are resent once synced */
  private recovering: Promise<void> | undefined;
  private dropWaiters: (() => void)[] = [];
  private leaving = false;
  private urlIndex = 0;
  /** 1:1 chats open on screen: the server pushes the peer's presence to them until the client leaves */
  private readonly onScreen = new Set<number>();
  readEvery: { conversationId: number; every: number } | undefined;

  constructor(
    readonly userId: number,
    private readonly env: ClientEnvironment,
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
      case 'open':
        if (step.at) await sleepUntil(phaseStart + step.at);
        return this.open(step.conversationId);
      case 'toggle':
        return this.toggle(step.readReceipts);
      case 'readBy':
        return this.readBy(step.conversationId);
      case 'awaitTicks':
        return this.until(() => this.state.allOwnAtLeast(step.tick, step.conversationIds));
      case 'hold':
        for (let seq = 1; seq <= step.count; seq++) this.state.ownSent(step.conversationId, seq, Number.NaN);
        return;
    }
  }

  private get urls(): string[] {
    return this.env.urls?.length ? this.env.urls : [this.env.url];
  }

  private async connect(scheduledAt: number): Promise<void> {
    await sleepUntil(scheduledAt);
    this.leaving = false;
    const reconnect = this.state.statusCursor !== undefined;
    await this.connectAnywhere(false);
    this.env.count(reconnect ? 'reconnect' : 'connect');
    // status frames precede `synced`, so every tick is correct from this moment
    if (reconnect) this.env.recorder.record('latency.sync', Date.now() - scheduledAt);
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
        this.env.error('connect_failed');
        this.urlIndex += 1;
        if (Date.now() + backoff > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, SIM_CLIENT_DEFAULTS.reconnectBackoffMaxMs);
      }
    }
  }

  private async connectOnce(url: string, afterDrop: boolean): Promise<void> {
    const reconnect = this.state.statusCursor !== undefined;
    const ws = new WebSocket(`${url}/?token=${encodeURIComponent(this.env.token)}`, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as ServerFrame));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => this.env.error('socket'));
    const closed = new Promise<never>((_, reject) => ws.once('close', (code) => reject(new Error(`${url} closed the connection (${code}) before sync`))));
    closed.catch(() => {});
    this.state.synced = false;
    this.send({
      type: 'sync',
      ...(reconnect ? { statusCursor: this.state.statusCursor, lastSeqs: this.state.lastSeqs() } : {}),
      ...(this.env.cachesSettings ? { wantSettings: true } : {}),
    });
    await Promise.race([this.until(() => this.state.synced), closed]);
    ws.on('close', () => this.onDrop(ws));
    for (const [tempId, pending] of this.pendingAcks) this.send({ type: 'send', tempId, conversationId: pending.conversationId, body: pending.body });
    // acks and sends a dropped connection may have lost: the server dedups sends by tempId and
    // treats an ack it already has as a no-op, so resending is safe (at-least-once). A client
    // that left on purpose settled first and has nothing to resend.
    if (!afterDrop) return;
    for (const conversationId of this.onScreen) this.send({ type: 'open_conversation', conversationId });
    for (const view of this.state.conversations.values()) {
      if (view.deliveredAcked > 0) this.send({ type: 'delivered', conversationId: view.id, upToSeq: view.deliveredAcked });
      if (view.readAcked > 0) this.send({ type: 'read', conversationId: view.id, upToSeq: view.readAcked });
    }
  }

  /** an unexpected close: reconnect (to the next node) with the cursor, unless leaving on purpose */
  private onDrop(ws: WebSocket): void {
    if (this.leaving || ws !== this.ws || this.recovering) return;
    const droppedAt = Date.now();
    this.env.error('dropped');
    this.state.synced = false;
    for (const waiter of this.dropWaiters.splice(0)) waiter();
    this.urlIndex += 1;
    this.recovering = this.connectAnywhere(true)
      .then(() => {
        this.env.count('reconnect');
        this.env.recovered?.(droppedAt, Date.now());
      })
      .finally(() => {
        this.recovering = undefined;
      });
    this.recovering.catch(() => this.env.error('reconnect_failed'));
  }

  /** resolves at the next unexpected drop */
  private nextDrop(): Promise<void> {
    return new Promise((resolve) => this.dropWaiters.push(resolve));
  }

  /** sends a request and waits for its reply, again after a failover if the connection drops first */
  private async request(frame: ClientFrame, type: ServerFrame['type']): Promise<void> {
    for (;;) {
      if (this.recovering) await this.recovering;
      if (this.ws?.readyState !== WebSocket.OPEN) return;
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

  private async disconnect(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await this.settle();
    this.leaving = true;
    this.onScreen.clear();
    await new Promise<void>((resolve) => {
      const current = this.ws!;
      if (current.readyState === WebSocket.CLOSED) return resolve();
      current.once('close', () => resolve());
      current.close();
    });
    this.ws = undefined;
  }

  private async sendScheduled(conversationId: number, times: number[]): Promise<void> {
    const acks: Promise<void>[] = [];
    for (const scheduledAt of times) {
      await sleepUntil(scheduledAt);
      const tempId = `${this.userId}-${++this.tempCounter}`;
      const body = messageBody(scheduledAt);
      acks.push(new Promise<void>((resolve) => this.pendingAcks.set(tempId, { scheduledAt, conversationId, body, resolve })));
      this.send({ type: 'send', tempId, conversationId, body });
      this.env.count('send');
    }
    await Promise.all(acks);
  }

  private async open(conversationId: number): Promise<void> {
    this.env.count('open');
    const view = this.state.conversation(conversationId);
    if (view?.kind === 'direct' && !this.onScreen.has(conversationId)) {
      this.onScreen.add(conversationId);
      this.send({ type: 'open_conversation', conversationId });
    }
    const from = view?.readAcked ?? 0;
    const frame = this.state.open(conversationId, this.env.cachesSettings);
    if (!frame || frame.type !== 'read') return;
    this.send(frame);
    // a client that does not cache its setting still sends; the read only counts when receipts are on
    if (this.state.readReceipts !== false) {
      this.env.count('read');
      this.env.readSent(this.userId, conversationId, from, frame.upToSeq);
    }
  }

  private async toggle(readReceipts: boolean): Promise<void> {
    await this.request({ type: 'set_settings', readReceipts }, 'settings');
    this.env.count('toggle');
  }

  private async readBy(conversationId: number): Promise<void> {
    const view = this.state.conversation(conversationId);
    const lastOwn = view ? Math.max(0, ...view.own.keys()) : 0;
    if (!lastOwn) return;
    await this.request({ type: 'read_by', conversationId, seq: lastOwn }, 'read_by');
    this.env.count('read_by');
  }

  private expectReply(type: ServerFrame['type']): Promise<ServerFrame> {
    return new Promise((resolve) => this.replies.set(type, resolve));
  }

  private onFrame(frame: ServerFrame): void {
    const now = Date.now();
    const result = this.state.apply(frame);
    if (frame.type === 'ack') {
      const pending = this.pendingAcks.get(frame.tempId);
      if (pending) {
        this.pendingAcks.delete(frame.tempId);
        this.state.ownSent(frame.conversationId, frame.seq, pending.scheduledAt);
        this.env.recorder.record('latency.ack', now - pending.scheduledAt);
        pending.resolve();
      }
    } else if (frame.type === 'error') {
      this.env.error(frame.code);
    } else if (frame.type === 'status' || frame.type === 'status_update') {
      this.env.statusReceived(this, frame.conversationId);
    }
    for (const delivered of result.delivered) {
      if (Number.isFinite(delivered.scheduledAt)) this.env.recorder.record('latency.delivery', now - delivered.scheduledAt);
    }
    if (result.duplicates) this.env.error('duplicate_delivery');
    for (const reply of result.replies) {
      this.send(reply);
      this.env.count('deliver');
    }
    const waiting = this.replies.get(frame.type);
    if (waiting) {
      this.replies.delete(frame.type);
      waiting(frame);
    }
    this.maybeReadEvery(frame);
    if (this.waiters.length) {
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.check()) return true;
        waiter.resolve();
        return false;
      });
    }
  }

  private maybeReadEvery(frame: ServerFrame): void {
    if (!this.readEvery || (frame.type !== 'msg' && frame.type !== 'ack' && frame.type !== 'sync_batch')) return;
    const view = this.state.conversation(this.readEvery.conversationId);
    if (view && view.seenSinceOpen >= this.readEvery.every) void this.open(view.id);
  }

  private send(frame: ClientFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
    // while failing over, sends and acks wait to be resent once synced again
    else if (!this.recovering) this.env.error('send_while_closed');
  }

  private until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }
}

export function sleepUntil(epochMs: number): Promise<void> {
  const delay = epochMs - Date.now();
  return delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
}
