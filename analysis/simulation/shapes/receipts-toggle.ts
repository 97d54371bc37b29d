// receipts-toggle: users 1..U, each in `conversations` 1:1 chats with peers U+1..U+C. Which
// chats a user opens comes from the seeded plan; each gets one message from the peer, acked on
// arrival (one message per ack), then the user turns receipts off and opens them.
import scenario from '../../../scenarios/receipts-toggle.ts';
import { ackFeatures, Tally } from '../features.ts';
import type { ScenarioShapes } from './types.ts';

const shapes: ScenarioShapes = {
  scenario: 'receipts-toggle',
  actions(params, seed) {
    const { users, conversations } = params as { users: number; conversations: number };
    const plan = scenario.plan(params as never, seed);
    const tally = new Tally();
    const opened = plan.phases[3]!.scripts;
    for (const script of opened) {
      const userId = script.userId;
      for (const step of script.steps) {
        if (step.op !== 'open') continue;
        tally.add('send', 2, {});
        tally.add('deliver', 2, ackFeatures({ conversationId: step.conversationId, userId, coveredSeqs: { from: 0, to: 1 }, deliveredMark: 1, readMark: 0, senders: 1, group: false }));
        tally.add('open', 2, { withUnread: 1, receiptsOff: 1 });
      }
      tally.add('toggle', 2, { conversations });
    }
    // everyone logs in at once: who loads a shared conversation first is a race, so the split
    // of conversation loads between users and peers is an estimate (all by the users here)
    for (let u = 0; u < users; u++) tally.add('connect', 2, { conversations, coldUsers: 1, coldUserConversations: conversations, coldConversationLoads: 1, coldConversations: conversations }, 1, false);
    tally.add('connect', 2, { conversations: users, coldUsers: 1, coldUserConversations: users }, conversations, false);
    return tally.result();
  },
  population(params, seed) {
    const { users, conversations, opens } = params as { users: number; conversations: number; opens: number };
    void seed;
    return { constant: 1, users: users + conversations, conversations: users * conversations, memberships: 2 * users * conversations, messages: users * opens, groupReceiptSlots: 0, ackedMemberships: users * opens };
  },
  calibration: [
    { users: 2, conversations: 3, opens: 2 },
    { users: 2, conversations: 14, opens: 5 },
    { users: 5, conversations: 4, opens: 1 },
    { users: 5, conversations: 9, opens: 9 },
    { users: 11, conversations: 6, opens: 3 },
    { users: 11, conversations: 14, opens: 6 },
    { users: 30, conversations: 40, opens: 10 },
  ],
};

export default shapes;
