// The shared client's transport on `ws`. One listener function per event for every socket of the
// process: the socket's owner is found through a property on the socket, not a closure per client.
import WebSocket from 'ws';
import { corkForBurst } from '../../reference-server/ws-cork.ts';
import { Gate } from '../client/gate.ts';
import type { ClientSocket, SocketEvents, Transport } from '../client/transport.ts';

/** handshakes in flight per load-generator process, at most (drivers/client/gate.ts says why) */
export const MAX_HANDSHAKES_IN_FLIGHT = 1000;
const handshakes = new Gate(MAX_HANDSHAKES_IN_FLIGHT);
/** a handshake the server never answers frees its slot, and the client retries */
const HANDSHAKE_TIMEOUT_MS = 20_000;

const OWNER = Symbol('chatbench.socket');

type OwnedWebSocket = WebSocket & { [OWNER]?: WsSocket };

class WsSocket implements ClientSocket {
  constructor(
    readonly ws: WebSocket,
    readonly events: SocketEvents,
  ) {}

  send(text: string): void {
    // acks answering a burst of pushes leave in one write
    corkForBurst(this.ws);
    this.ws.send(text);
  }

  close(): void {
    this.ws.close();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get isClosed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED;
  }
}

function onMessage(this: OwnedWebSocket, data: WebSocket.RawData): void {
  const socket = this[OWNER]!;
  socket.events.onText(socket, data.toString());
}

function onClose(this: OwnedWebSocket, code: number): void {
  const socket = this[OWNER]!;
  socket.events.onClosed(socket, code);
}

function onError(this: OwnedWebSocket): void {
  const socket = this[OWNER]!;
  socket.events.onSocketError(socket);
}

function ignore(): void {}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export const wsTransport: Transport = {
  connect(url, events) {
    return handshakes.run(() => open(url, events));
  },
};

function open(url: string, events: SocketEvents): Promise<ClientSocket> {
  const ws: OwnedWebSocket = new WebSocket(url, {
    perMessageDeflate: false,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    // the server sends JSON it encoded itself (and a bad byte would fail JSON.parse): checking
    // every frame's UTF-8 again was CPU spent per delivered message
    skipUTF8Validation: true,
    // a zero masking key: `ws` then sends a text frame's bytes as they are, where a random key
    // cost a copy of every ack into a Buffer and an XOR pass over it. The server unmasks either
    // alike and reads the same frames. The random key is there so that a browser's script cannot
    // steer the bytes an intermediary proxy sees (RFC 6455, 10.3); a load generator writing its
    // own frames has no such script.
    generateMask: zeroMask,
  });
  const socket = new WsSocket(ws, events);
  ws[OWNER] = socket;
  ws.on('message', onMessage);
  return new Promise<ClientSocket>((resolve, reject) => {
    const failed = (error: Error) => {
      ws.off('open', opened);
      // a failed socket may report more than one error: none may go unheard
      ws.on('error', ignore);
      reject(error);
    };
    const opened = () => {
      ws.off('error', failed);
      ws.on('error', onError);
      ws.on('close', onClose);
      resolve(socket);
    };
    ws.once('open', opened);
    ws.once('error', failed);
  });
}
