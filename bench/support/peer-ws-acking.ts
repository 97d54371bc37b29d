// A bench peer: CHATBENCH_PEER_CLIENTS bare `ws` sockets that answer every message with the
// delivery ack a live chat client owes (the same frame chatbench's client sends), with no other
// logic: the ceiling for a load generator doing the workload's I/O. A receive-only peer
// (peer-ws.ts) never writes, so it is no ceiling for a client that acks; this one tells what the
// acks themselves cost. Acks answering one read leave in one write, as chatbench's do.
import WebSocket from 'ws';
import { corkForBurst } from '../../reference-server/ws-cork.ts';
import { peerTally } from './peer-tally.ts';

const url = process.env.CHATBENCH_PEER_URL!;
const clients = Number(process.env.CHATBENCH_PEER_CLIENTS);
const tally = peerTally();
const SEQ = /"seq":(\d+)/;
let opened = 0;

function onMessage(this: WebSocket, data: Buffer): void {
  tally.delivered();
  const seq = SEQ.exec(data.toString())?.[1];
  if (!seq) return;
  corkForBurst(this);
  this.send(`{"type":"delivered","conversationId":1,"upToSeq":${seq}}`);
}

for (let index = 0; index < clients; index++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', onMessage);
  ws.on('error', () => {});
  ws.once('open', () => ++opened === clients && tally.ready());
}
