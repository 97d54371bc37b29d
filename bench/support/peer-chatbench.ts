// A bench peer: CHATBENCH_PEER_CLIENTS simulated chat clients through chatbench's own Node
// machinery (the client fleet, SimClient, the `ws` transport), each connecting, syncing, then
// waiting for the broadcast and acking every message's delivery as a live client does.
import { ClientFleet } from '../../drivers/client/fleet.ts';
import { wsTransport } from '../../drivers/node/ws-transport.ts';
import type { Plan } from '../../scenarios/plan.ts';

const url = process.env.CHATBENCH_PEER_URL!;
const clients = Number(process.env.CHATBENCH_PEER_CLIENTS);
const messages = Number(process.env.CHATBENCH_PEER_MESSAGES);
const userIds = Array.from({ length: clients }, (_, index) => index + 10);
const plan: Plan = {
  scenario: 'peers-bench',
  seed: 1,
  params: {},
  users: userIds,
  conversations: [{ id: 1, kind: 'group', members: userIds }],
  phases: [
    { name: 'connect', scripts: userIds.map((userId) => ({ userId, steps: [{ op: 'connect' as const }] })), timeoutMs: 600_000 },
    { name: 'receive', scripts: userIds.map((userId) => ({ userId, steps: [{ op: 'awaitReceived' as const, conversationId: 1, count: messages }] })), timeoutMs: 600_000 },
  ],
  expected: [],
};
let received = 0;
const fleet = new ClientFleet({
  plan,
  userIds,
  serverUrls: [url],
  token: String,
  transport: wsTransport,
  cachesSettings: false,
  sink: { latency() {}, count: (action) => void (action === 'deliver' && (received += 1)), error() {}, recovered() {}, resent() {} },
});
await fleet.runPhase(0, Date.now());
const receiving = fleet.runPhase(1, Date.now());
process.on('message', (message: { type: string }) => {
  if (message.type === 'received') process.send?.({ type: 'received', received });
});
process.on('disconnect', () => process.exit(0));
await receiving;
