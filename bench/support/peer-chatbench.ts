// A bench peer: CHATBENCH_PEER_CLIENTS simulated chat clients through chatbench's own Node
// machinery (the client fleet, SimClient, the `ws` transport), each connecting, syncing, then
// waiting for the broadcast and acking every message's delivery as a live client does.
import { ClientFleet } from '../../drivers/client/fleet.ts';
import { wsTransport } from '../../drivers/node/ws-transport.ts';
import { broadcastPlan } from './broadcast-plan.ts';
import { peerTally } from './peer-tally.ts';

const url = process.env.CHATBENCH_PEER_URL!;
const clients = Number(process.env.CHATBENCH_PEER_CLIENTS);
const messages = Number(process.env.CHATBENCH_PEER_MESSAGES);
const userIds = Array.from({ length: clients }, (_, index) => index + 10);
const tally = peerTally();
const fleet = new ClientFleet({
  plan: broadcastPlan(userIds, messages),
  userIds,
  serverUrls: [url],
  token: String,
  transport: wsTransport,
  cachesSettings: false,
  // one delivery ack per live message, counted where the client sends it
  sink: { latency() {}, count: (action) => void (action === 'deliver' && tally.delivered()), error() {}, recovered() {}, resent() {} },
});
await fleet.runPhase(0, Date.now());
const receiving = fleet.runPhase(1, Date.now());
tally.ready();
await receiving;
