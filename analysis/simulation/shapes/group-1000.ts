// group-1000: one group of every member, all online. Sends and "read by" are fixed by the plan.
// Live delivery acks and reads depend on arrival order, so they are estimated by replaying the
// plan's messages in send order through the clients' rules: an ack per message from another
// member, an open after every `readEvery` messages seen and once at the end, a read when
// something new is held.
import scenario from '../../../scenarios/group-1000.ts';
import { ackFeatures, Tally } from '../features.ts';
import type { ScenarioShapes } from './types.ts';

function senders(params: Record<string, number>, seed: number): number[] {
  const plan = scenario.plan(params as never, seed);
  const sends: Array<{ at: number; userId: number }> = [];
  for (const script of plan.phases[1]!.scripts) {
    for (const step of script.steps) if (step.op === 'send') for (const at of step.at) sends.push({ at, userId: script.userId });
  }
  return sends.sort((a, b) => a.at - b.at).map((send) => send.userId);
}

const shapes: ScenarioShapes = {
  scenario: 'group-1000',
  actions(params, seed) {
    const { members, readEvery } = params as { members: number; readEvery: number };
    const order = senders(params, seed);
    const tally = new Tally();
    const conversationId = 1;
    for (let member = 1; member <= members; member++) {
      let seen = 0;
      let readAcked = 0;
      const read = (upTo: number) => {
        const from = order.slice(readAcked, upTo);
        const others = from.filter((sender) => sender !== member);
        tally.add('open', members, { withUnread: upTo > readAcked ? 1 : 0 }, 1, false);
        if (upTo > readAcked) {
          const covered = { from: readAcked, to: upTo, count: others.length };
          tally.add('read', members, ackFeatures({ conversationId, userId: member, coveredSeqs: covered, deliveredMark: upTo, readMark: upTo, senders: new Set(others).size, group: true }), 1, false);
          readAcked = upTo;
        }
        seen = 0;
      };
      order.forEach((sender, index) => {
        const seq = index + 1;
        if (sender !== member) {
          tally.add('deliver', members, ackFeatures({ conversationId, userId: member, coveredSeqs: { from: seq - 1, to: seq }, deliveredMark: seq, readMark: readAcked, senders: 1, group: true }), 1, false);
        }
        seen += 1;
        if (seen >= readEvery) read(seq);
      });
      read(order.length);
    }
    for (let i = 0; i < order.length; i++) tally.add('send', members, { groupActions: 1, groupRecipients: members - 1 });
    for (const _ of new Set(order)) tally.add('read_by', members, { groupActions: 1 });
    // all members log in at once: the first to arrive loads the group
    tally.add('connect', members, { conversations: 1, coldUsers: 1, coldUserConversations: 1, coldConversationLoads: 1, coldConversations: 1 }, 1, false);
    tally.add('connect', members, { conversations: 1, coldUsers: 1, coldUserConversations: 1 }, members - 1, false);
    return tally.result();
  },
  population(params, seed) {
    const { members, messages } = params as { members: number; messages: number };
    const distinct = new Set(senders(params, seed));
    const acking = distinct.size > 1 ? members : members - 1;
    return { constant: 1, users: members, conversations: 1, memberships: members, messages, groupReceiptSlots: messages * (members - 1), ackedMemberships: acking };
  },
  calibration: [
    { members: 3, messages: 4, rate: 20, readEvery: 2 },
    { members: 6, messages: 9, rate: 20, readEvery: 3 },
    { members: 12, messages: 6, rate: 20, readEvery: 2 },
    { members: 24, messages: 12, rate: 20, readEvery: 5 },
    { members: 150, messages: 30, rate: 20, readEvery: 10 },
    // the largest group the design allows, so no group size is extrapolated
    { members: 1024, messages: 3, rate: 5, readEvery: 2 },
  ],
};

export default shapes;
