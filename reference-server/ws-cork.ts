// Frames a `ws` socket is sent in one turn of the event loop leave in one write: the TCP socket is
// corked at the first and uncorked when the turn's synchronous work is done. One writev per burst
// instead of one system call per frame (a third of the server's busy CPU in a reconnect storm
// went to per-frame writes; a simulated client acking a burst of pushes does the same). `ws`
// corks each frame itself; this outer cork holds a burst's frames together. Shared by the server
// and the Node driver's transport.
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

const corked = new WeakSet<Socket>();

export function corkForBurst(ws: WebSocket): void {
  // `_socket` is the `ws` instance's TCP socket (not in its public types)
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (!socket || corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(uncork, socket);
}

function uncork(socket: Socket): void {
  corked.delete(socket);
  socket.uncork();
}
