// One simulated chat user inside a k6 VU, on k6's WebSocket: the same behaviour as the Node
// driver's SimClient (cumulative delivery acks, ticks derived from pushes by the shared
// ClientState, settings cached at login when the model's client does so, reconnect from the
// cursor, a ping to settle before a script ends). Runs inside k6 only: no Node imports.
import { WebSocket } from 'k6/websockets';
import { setTimeout } from 'k6/timers';
import type { ClientFrame, ServerFrame } from '../../reference-server/protocol.ts';
import type { Step } from '../../scenarios/plan.ts';
import { ClientState, messageBody } from '../client-state.ts';

// readyState values; k6's WebSocket does not carry the browser's static constants
const OPEN = 1;
const CLOSED = 3;

export interface VuClientEnvironment {
  url: string;
  token: string;
  cachesSettings: boolean;
  record(metric: string, valueMs: number): void;
  count(action: string): void;
  error(code: string): void;
  readSent(reader: number, conversationId: number, fromSeq: number, upToSeq: number): void;
  statusReceived(client: VuClient, conversationId: number): void;
}

export class VuClient {
  readonly state: ClientState;
  private ws: WebSocket | undefined;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private pendingAcks = new Map<string, { scheduledAt: number; resolve: () => void }>();
  private replies = new Map<string, (frame: ServerFrame) => void>();
  private closed: (() => void) | undefined;
  private tempCounter = 0;
  /** 1:1 chats open on screen: the server pushes the peer's presence to them until the client leaves */
  private readonly onScreen = new Set<number>();
  readEvery: { conversationId: number; every: number } | undefined;

  constructor(
    readonly userId: number,
    private readonly env: VuClientEnvironment,
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

  private async connect(scheduledAt: number): Promise<void> {
    await sleepUntil(scheduledAt);
    const reconnect = this.state.statusCursor !== undefined;
    const ws = new WebSocket(`${this.env.url}/?token=${encodeURIComponent(this.env.token)}`);
    this.ws = ws;
    let opened = false;
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => {
        opened = true;
        resolve();
      });
      ws.addEventListener('message', (event) => this.onFrame(JSON.parse(String(event.data)) as ServerFrame));
      ws.addEventListener('error', (event) => {
        if (!opened) {
          this.env.error('connect_failed');
          reject(new Error(`user ${this.userId}: connect failed: ${event.error ?? 'unknown error'}`));
        } else this.env.error('socket');
      });
      ws.addEventListener('close', () => {
        const closed = this.closed;
        this.closed = undefined;
        closed?.();
      });
    });
    this.state.synced = false;
    this.send({
      type: 'sync',
      ...(reconnect ? { statusCursor: this.state.statusCursor, lastSeqs: this.state.lastSeqs() } : {}),
      ...(this.env.cachesSettings ? { wantSettings: true } : {}),
    });
    await this.until(() => this.state.synced);
    this.env.count(reconnect ? 'reconnect' : 'connect');
    if (reconnect) this.env.record('latency.sync', Date.now() - scheduledAt);
  }

  /** a pong means the server handled every frame this client sent before its ping */
  async settle(): Promise<void> {
    if (this.ws?.readyState !== OPEN) return;
    const pong = this.expectReply('pong');
    this.send({ type: 'ping' });
    await pong;
  }

  async disconnect(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === CLOSED) return;
    await this.settle();
    this.onScreen.clear();
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      ws.close();
    });
    this.ws = undefined;
  }

  private async sendScheduled(conversationId: number, times: number[]): Promise<void> {
    const acks: Promise<void>[] = [];
    for (const scheduledAt of times) {
      await sleepUntil(scheduledAt);
      const tempId = `${this.userId}-${++this.tempCounter}`;
      acks.push(new Promise<void>((resolve) => this.pendingAcks.set(tempId, { scheduledAt, resolve })));
      this.send({ type: 'send', tempId, conversationId, body: messageBody(scheduledAt) });
      this.env.count('send');
    }
    await Promise.all(acks);
  }

  private open(conversationId: number): void {
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
    const reply = this.expectReply('settings');
    this.send({ type: 'set_settings', readReceipts });
    await reply;
    this.env.count('toggle');
  }

  private async readBy(conversationId: number): Promise<void> {
    const view = this.state.conversation(conversationId);
    const lastOwn = view ? Math.max(0, ...view.own.keys()) : 0;
    if (!lastOwn) return;
    const reply = this.expectReply('read_by');
    this.send({ type: 'read_by', conversationId, seq: lastOwn });
    await reply;
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
        this.env.record('latency.ack', now - pending.scheduledAt);
        pending.resolve();
      }
    } else if (frame.type === 'error') {
      this.env.error(frame.code);
    } else if (frame.type === 'status' || frame.type === 'status_update') {
      this.env.statusReceived(this, frame.conversationId);
    }
    for (const delivered of result.delivered) {
      if (Number.isFinite(delivered.scheduledAt)) this.env.record('latency.delivery', now - delivered.scheduledAt);
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
    if (view && view.seenSinceOpen >= this.readEvery.every) this.open(view.id);
  }

  private send(frame: ClientFrame): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(frame));
    else this.env.error('send_while_closed');
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
