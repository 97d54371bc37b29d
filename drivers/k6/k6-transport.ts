// The shared client's transport on k6's WebSocket (`k6/websockets`). Runs inside k6 only.
import { WebSocket } from 'k6/websockets';
import type { ClientSocket, SocketEvents, Transport } from '../client/transport.ts';

// readyState values; k6's WebSocket does not carry the browser's static constants
const OPEN = 1;
const CLOSED = 3;
const LOST_CONNECTION = /abnormal closure|unexpected EOF|connection reset|broken pipe/i;

class K6Socket implements ClientSocket {
  constructor(private readonly ws: WebSocket) {}

  send(text: string): void {
    this.ws.send(text);
  }

  close(): void {
    this.ws.close();
  }

  get isOpen(): boolean {
    return this.ws.readyState === OPEN;
  }

  get isClosed(): boolean {
    return this.ws.readyState === CLOSED;
  }
}

export const k6Transport: Transport = {
  connect(url: string, events: SocketEvents): Promise<ClientSocket> {
    const ws = new WebSocket(url);
    const socket = new K6Socket(ws);
    return new Promise((resolve, reject) => {
      let opened = false;
      ws.addEventListener('open', () => {
        opened = true;
        resolve(socket);
      });
      ws.addEventListener('message', (event) => events.onText(socket, String(event.data)));
      ws.addEventListener('error', (event) => {
        // k6 reports a connection lost under it (a node killed) as an error before the close;
        // `ws` reports only the close. The close counts it (a drop), so both drivers agree.
        if (opened) {
          if (!LOST_CONNECTION.test(event.error ?? '')) events.onSocketError(socket);
        } else reject(new Error(`connect failed: ${event.error ?? 'unknown error'}`));
      });
      ws.addEventListener('close', (event) => {
        if (opened) events.onClosed(socket, event?.code ?? 1006);
        else reject(new Error('closed before it opened'));
      });
    });
  },
};
