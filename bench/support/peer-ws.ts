// A bench peer: CHATBENCH_PEER_CLIENTS bare `ws` sockets to CHATBENCH_PEER_URL that count what
// arrives and do nothing else. The floor every other load generator is compared with.
import WebSocket from 'ws';

const url = process.env.CHATBENCH_PEER_URL!;
const clients = Number(process.env.CHATBENCH_PEER_CLIENTS);
let received = 0;
const sockets: WebSocket[] = [];
for (let index = 0; index < clients; index++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', () => void (received += 1));
  ws.on('error', () => {});
  sockets.push(ws);
}
process.on('message', (message: { type: string }) => {
  if (message.type === 'received') process.send?.({ type: 'received', received });
});
process.on('disconnect', () => process.exit(0));
