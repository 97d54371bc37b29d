// A bare ws broadcaster: the machine's fan-out ceiling with no chat server behind it. On "go"
// it sends `messages` msg frames to every connected socket as fast as it can.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', () => {}));
wss.on('listening', () => {
  const address = wss.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { type: string; messages: number }) => {
  if (message.type !== 'go') return;
  for (let seq = 1; seq <= message.messages; seq++) {
    const text = JSON.stringify({ type: 'msg', conversationId: 1, seq, senderId: 2, tempId: `b${seq}`, body: `{"s":${Date.now()}}`, sentAt: Date.now() });
    for (const client of wss.clients) client.send(text);
  }
});
process.on('disconnect', () => process.exit(0));
