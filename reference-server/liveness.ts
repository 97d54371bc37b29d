// Connections that cost memory and do nothing are closed: a TCP connection that has not finished
// an authorised WebSocket upgrade in time (silent sockets, half-sent upgrade requests), and a
// WebSocket that neither sends frames nor answers the server's pings.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Destroys every TCP connection still waiting for its upgrade (or first HTTP request) after
 * `timeoutMs`. Call `upgraded(socket)` when a connection is handed to the WebSocket server.
 */
export function guardHandshakes(http: Server, timeoutMs: number, onTimeout: () => void): { upgraded(socket: Socket): void } {
  const pending = new Map<Socket, NodeJS.Timeout>();
  const settle = (socket: Socket) => {
    clearTimeout(pending.get(socket));
    pending.delete(socket);
  };
  http.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      pending.delete(socket);
      onTimeout();
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => settle(socket));
  });
  // a plain HTTP request (metrics, health) is answered at once; keep-alive idling is Node's own
  http.on('request', (request) => settle(request.socket));
  return { upgraded: settle };
}

/**
 * Pings quiet connections and drops those that stay silent: a WebSocket with no frame and no pong
 * for `idleTimeoutMs` is terminated (the peer sees 1006: there is no one to send a close frame to).
 */
export class Heartbeat {
  private readonly lastHeard = new Map<WebSocket, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly idleTimeoutMs: number,
    onIdle: () => void,
  ) {
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const [ws, heard] of this.lastHeard) {
        if (now - heard > idleTimeoutMs) {
          this.lastHeard.delete(ws);
          onIdle();
          ws.terminate();
        } else if (now - heard >= idleTimeoutMs / 2 && ws.readyState === ws.OPEN) ws.ping();
      }
    }, Math.max(10, Math.floor(idleTimeoutMs / 4)));
    this.timer.unref();
  }

  watch(ws: WebSocket): void {
    this.heard(ws);
    ws.on('pong', () => this.heard(ws));
    ws.once('close', () => this.lastHeard.delete(ws));
  }

  heard(ws: WebSocket): void {
    if (ws.readyState === ws.OPEN) this.lastHeard.set(ws, Date.now());
  }

  stop(): void {
    clearInterval(this.timer);
    this.lastHeard.clear();
  }
}
