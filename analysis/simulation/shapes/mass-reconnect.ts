// mass-reconnect: user i+1 talks to peers users+((i+j) mod users)+1 in conversations i*K+j+1.
// With the bulk history (the default) each user's device is restored offline holding its messages
// (no login: the node is told about the user as its login would have), the history is imported,
// and each user reconnects to every status changed: conversations x changes messages
// read, in K conversations, besides `idle` conversations where nothing changed. Live history
// (liveHistory=1) acks against offline senders, so its acks are estimates.
import { ackFeatures, digits, digitSum, Tally } from '../features.ts';
import type { ScenarioShapes } from './types.ts';

const shapes: ScenarioShapes = {
  scenario: 'mass-reconnect',
  actions({ users, conversations, changes, idle = 0, liveHistory }) {
    const N = users!;
    const K = conversations!;
    const H = changes!;
    const all = K + idle;
    const tally = new Tally();
    for (let i = 0; i < N; i++) {
      const userId = i + 1;
      let convPeerDigits = 0;
      let convFrameDigits = 0;
      for (let j = 0; j < K; j++) {
        const conversationId = i * K + j + 1;
        const peer = N + ((i + j) % N) + 1;
        convPeerDigits += digits(conversationId) + digits(peer);
        convFrameDigits += digits(conversationId) + 2 * digits(H);
        if (liveHistory) {
          tally.add('deliver', 2, ackFeatures({ conversationId, userId: peer, coveredSeqs: { from: 0, to: H }, deliveredMark: H, readMark: 0, senders: 1, group: false }), 1, false);
          tally.add('open', 2, { withUnread: 1 }, 1, false);
          tally.add('read', 2, ackFeatures({ conversationId, userId: peer, coveredSeqs: { from: 0, to: H }, deliveredMark: H, readMark: H, senders: 1, group: false }), 1, false);
        }
      }
      if (liveHistory) {
        tally.add('connect', 2, { conversations: all, coldUsers: 1, coldUserConversations: all, coldConversationLoads: 1, coldConversations: all });
        tally.add('send', 2, {}, K * H);
      }
      tally.add('reconnect', 2, {
        conversations: all,
        changedConversations: K,
        changedMessages: K * H,
        changedMessageDigits: H * convPeerDigits + K * digitSum(0, H),
        changedConvDigits: convFrameDigits,
      });
    }
    // peers log in once to read (live history only): every conversation was loaded by its user
    if (liveHistory) tally.add('connect', 2, { conversations: all, coldUsers: 1, coldUserConversations: all, behindActions: 1, behindMessages: K * H }, N, false);
    return tally.result();
  },
  population({ users, conversations, changes, idle = 0 }) {
    const pairs = users! * conversations!;
    const all = users! * (conversations! + idle);
    return { constant: 1, users: 2 * users!, conversations: all, memberships: 2 * all, messages: pairs * changes!, groupReceiptSlots: 0, ackedMemberships: pairs };
  },
  calibration: [
    { users: 3, conversations: 1, changes: 2, window: 0.2 },
    { users: 3, conversations: 2, changes: 12, idle: 1, window: 0.2 },
    { users: 8, conversations: 2, changes: 5, window: 0.2 },
    { users: 8, conversations: 5, changes: 2, idle: 2, window: 0.2 },
    { users: 14, conversations: 1, changes: 12, idle: 4, window: 0.2 },
    { users: 14, conversations: 4, changes: 9, window: 0.5 },
    { users: 1000, conversations: 5, changes: 10, window: 2 },
  ],
};

export default shapes;
