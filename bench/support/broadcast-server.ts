// A bare ws broadcaster: the machine's fan-out ceiling with no chat server behind it. It answers
// just enough of the chat protocol (sync, ping) for chatbench's own client machinery to connect.
// Over IPC: "count" answers the open connections; "go" sends `messages` msg frames to every
// connected socket as fast as it can and answers "sent" with the deliveries once every socket's
// buffer is written; "bye" sends each socket a closing frame (peers that count frames stop on it).
import { WebSocketServer, type WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const SYNCED = JSON.stringify({ type: 'synced', statusCursor: 0 });
const PONG = JSON.stringify({ type: 'pong' });

function onFrame(this: WebSocket, data: Buffer): void {
  const text = data.toString();
  // only the frames a simulated client needs answered; delivery acks are read and dropped
  if (text.includes('"type":"sync"')) {
    this.send(JSON.stringify({ type: 'conversations', items: [{ id: 1, kind: 'group', members: wss.clients.size + 1, lastSeq: 0 }] }));
    this.send(SYNCED);
  } else if (text.includes('"type":"ping"')) this.send(PONG);
}

wss.on('connection', (ws) => ws.on('message', onFrame));
wss.on('listening', () => {
  const address = wss.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

async function written(): Promise<void> {
  while ([...wss.clients].some((client) => client.bufferedAmount > 0)) await new Promise((resolve) => setTimeout(resolve, 10));
}

process.on('message', (message: { type: string; messages?: number }) => {
  if (message.type === 'count') process.send?.({ type: 'count', connections: wss.clients.size });
  else if (message.type === 'go') {
    let deliveries = 0;
    for (let seq = 1; seq <= message.messages!; seq++) {
      const text = JSON.stringify({ type: 'msg', conversationId: 1, seq, senderId: 2, tempId: `b${seq}`, body: `{"s":${Date.now()}}`, sentAt: Date.now() });
      for (const client of wss.clients) {
        client.send(text);
        deliveries += 1;
      }
    }
    void written().then(() => process.send?.({ type: 'sent', deliveries }));
  } else if (message.type === 'bye') {
    for (const client of wss.clients) client.send('{"type":"bye"}');
  }
});
process.on('disconnect', () => process.exit(0));
