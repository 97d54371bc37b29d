// A minimal test client: opens a socket with a token, records every frame, and waits for frames.
import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from '../../reference-server/protocol.ts';

export class TestClient {
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  private waiters: { match: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }[] = [];
  private closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve((this.closeCode = code))));
  }

  static async connect(url: string, token?: string): Promise<TestClient> {
    const ws = new WebSocket(token === undefined ? url : `${url}/?token=${encodeURIComponent(token)}`);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  next<T extends ServerFrame['type']>(type: T, where: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true, timeoutMs = 5000) {
    const match = (frame: ServerFrame) => frame.type === type && where(frame as Extract<ServerFrame, { type: T }>);
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen as Extract<ServerFrame, { type: T }>);
    }
    return new Promise<Extract<ServerFrame, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame as Extract<ServerFrame, { type: T }>);
        },
      });
    });
  }

  /** sync and wait until the server says the client is synced */
  async sync(options: { statusCursor?: number; lastSeqs?: Record<string, number>; wantSettings?: boolean } = {}) {
    this.send({ type: 'sync', ...options });
    return this.next('synced');
  }

  async sendMessage(conversationId: number, tempId: string, body = 'hi') {
    this.send({ type: 'send', conversationId, tempId, body });
    return this.next('ack', (ack) => ack.tempId === tempId);
  }

  /** round-trips a ping, so every frame sent before it has been handled */
  async settle(): Promise<void> {
    this.send({ type: 'ping' });
    await this.next('pong');
  }

  waitClosed(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}
