// vacation-backlog: pairs of (sender 2k+1, recipient 2k+2) in conversation k+1. Phases are
// separated, so every action's shape is fixed by the parameters: recipients log in (loading
// their user and conversation), senders log in (conversation already loaded), the backlog is
// sent, and each recipient comes back to one sync batch, one delivery ack and one read.
import { ackFeatures, Tally } from '../features.ts';
import type { ScenarioShapes } from './types.ts';

const shapes: ScenarioShapes = {
  scenario: 'vacation-backlog',
  actions({ pairs, backlog }) {
    const tally = new Tally();
    const P = pairs!;
    const B = backlog!;
    for (let k = 0; k < P; k++) {
      const conversationId = k + 1;
      const recipient = 2 * k + 2;
      tally.add('connect', 2, { conversations: 1, coldUsers: 1, coldUserConversations: 1, coldConversationLoads: 1, coldConversations: 1 });
      tally.add('connect', 2, { conversations: 1, coldUsers: 1, coldUserConversations: 1 });
      tally.add('send', 2, {}, B);
      tally.add('reconnect', 2, { conversations: 1, behindActions: 1, behindMessages: B });
      const covered = { from: 0, to: B };
      tally.add('deliver', 2, ackFeatures({ conversationId, userId: recipient, coveredSeqs: covered, deliveredMark: B, readMark: 0, senders: 1, group: false }));
      tally.add('open', 2, { withUnread: 1 });
      tally.add('read', 2, ackFeatures({ conversationId, userId: recipient, coveredSeqs: covered, deliveredMark: B, readMark: B, senders: 1, group: false }));
    }
    return tally.result();
  },
  population({ pairs, backlog }) {
    return { constant: 1, users: 2 * pairs!, conversations: pairs!, memberships: 2 * pairs!, messages: pairs! * backlog!, groupReceiptSlots: 0, ackedMemberships: pairs! };
  },
  // pairs cross the one-to-two digit boundary of both ids, backlogs the one-to-two digit
  // boundary of seqs, so every digit feature varies apart from the counts
  calibration: [
    { pairs: 2, backlog: 3, sendRate: 500 },
    { pairs: 2, backlog: 12, sendRate: 500 },
    { pairs: 7, backlog: 3, sendRate: 500 },
    { pairs: 7, backlog: 25, sendRate: 500 },
    { pairs: 13, backlog: 12, sendRate: 500 },
    { pairs: 13, backlog: 25, sendRate: 500 },
    { pairs: 60, backlog: 9, sendRate: 1000 },
    { pairs: 200, backlog: 50, sendRate: 5000 },
  ],
  // send times of 7 pairs fall between whole milliseconds, so the driver's millisecond clock
  // still resolves a 1-2 ms ack p50; rates stay well below saturation
  validation: {
    base: { pairs: 7 },
    points: [
      { backlog: 30, sendRate: 100 },
      { backlog: 90, sendRate: 300 },
      { backlog: 60, sendRate: 200 },
    ],
  },
};

export default shapes;
