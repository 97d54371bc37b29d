// A bench peer: CHATBENCH_PEER_CLIENTS bare `ws` sockets to CHATBENCH_PEER_URL that count what
// arrives and do nothing else. The floor every other load generator is compared with.
import WebSocket from 'ws';
import { peerTally } from './peer-tally.ts';

const url = process.env.CHATBENCH_PEER_URL!;
const clients = Number(process.env.CHATBENCH_PEER_CLIENTS);
const tally = peerTally();
const sockets: WebSocket[] = [];
let opened = 0;
for (let index = 0; index < clients; index++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', tally.delivered);
  ws.on('error', () => {});
  ws.once('open', () => ++opened === clients && tally.ready());
  sockets.push(ws);
}
