// A day of a workload as action groups, in the same shape vocabulary the scenarios use, so one
// calibration prices both. Counts and features are per day and need not be integers (means).
import { ackFeatures, digits, digitSum, Tally, type ActionGroup, type Population } from './features.ts';
import { mean, values, type Workload } from './workload.ts';

export interface WorkloadDay {
  groups: ActionGroup[];
  /** table-growth quantities per day (nothing is constant over a day) */
  population: Population;
  messages: number;
  /** message copies pushed to recipients (each is a frame a server writes) */
  copies: number;
}

export function workloadDay(workload: Workload): WorkloadDay {
  const v = values(workload);
  const tally = new Tally();
  const messages = v.dailyActiveUsers * v.messagesPerUserPerDay;
  const direct = messages * v.directShare;
  const group = messages - direct;
  const offline = direct * v.offlineShare;
  const online = direct - offline;
  const receiptsOn = 1 - v.receiptsOffShare;
  // ids as wide as the population makes them: status frames carry them as decimal digits
  const user = 10 ** (digits(v.dailyActiveUsers) - 1);
  const conversation = 10 ** (digits((v.dailyActiveUsers * v.conversationsPerUser) / 2) - 1);
  const seq = v.typicalSeq;
  const ack = (covered: number, read: boolean, groupAck: boolean, senders: number) =>
    ackFeatures({
      conversationId: conversation,
      userId: user,
      coveredSeqs: { from: seq, to: seq + Math.max(1, Math.round(covered)), count: covered },
      deliveredMark: seq,
      readMark: read ? seq : seq - 1,
      senders,
      group: groupAck,
    });
  const scaled = (features: Record<string, number>, covered: number) => {
    // digit sums over covered seqs scale with the mean covered count, not its rounding
    const whole = Math.max(1, Math.round(covered));
    return { ...features, coveredSeqDigits: (digitSum(seq, seq + whole) / whole) * covered };
  };

  tally.add('send', 2, {}, direct);
  tally.add('deliver', 2, ack(1, false, false, 1), online);
  const backlogs = offline / mean(v.backlogLengths);
  for (const [length, share] of Object.entries(v.backlogLengths)) {
    const covered = Number(length);
    tally.add('deliver', 2, scaled(ack(covered, false, false, 1), covered), backlogs * share);
    tally.add('open', 2, { withUnread: 1, receiptsOff: v.receiptsOffShare }, backlogs * share);
    tally.add('read', 2, scaled(ack(covered, true, false, 1), covered), backlogs * share * receiptsOn);
  }
  const opens = v.dailyActiveUsers * v.activeConversationsPerUser * v.readsPerConversationPerDay;
  const directOpens = opens * v.directShare;
  const perDirectOpen = online / directOpens;
  tally.add('open', 2, { withUnread: 1, receiptsOff: v.receiptsOffShare }, directOpens);
  tally.add('read', 2, scaled(ack(perDirectOpen, true, false, 1), perDirectOpen), directOpens * receiptsOn);
  let copies = online + offline;
  let receiptSlots = 0;
  for (const [size, share] of Object.entries(v.groupSizes)) {
    const members = Number(size);
    const sent = group * share;
    const recipients = sent * (members - 1);
    copies += recipients;
    receiptSlots += recipients;
    tally.add('send', members, { groupActions: 1, groupRecipients: members - 1 }, sent);
    tally.add('deliver', members, ack(1, false, true, 1), recipients);
    // each member's opens of the group split that member's share of the group's messages
    const groupOpens = opens * (1 - v.directShare) * share;
    const perOpen = recipients / groupOpens;
    tally.add('open', members, { withUnread: 1, receiptsOff: v.receiptsOffShare }, groupOpens);
    tally.add('read', members, scaled(ack(perOpen, true, true, Math.min(perOpen, members - 1)), perOpen), groupOpens * receiptsOn);
  }
  const reconnects = v.dailyActiveUsers * v.reconnectsPerUserPerDay;
  const changed = v.conversationsChangedPerReconnect;
  const changedMessages = changed * v.changesPerConversation;
  tally.add('reconnect', 2, {
    conversations: v.conversationsPerUser,
    // offline messages arrive on reconnect: the share of reconnects with a backlog, and its messages
    behindActions: Math.min(1, backlogs / reconnects),
    behindMessages: offline / reconnects,
    changedConversations: changed,
    changedMessages,
    changedMessageDigits: changedMessages * (digits(conversation) + digits(seq) + digits(user)),
    changedConvDigits: changed * (digits(conversation) + 2 * digits(seq)),
  }, reconnects);
  tally.add('toggle', 2, { conversations: v.conversationsPerUser }, (v.dailyActiveUsers * v.togglesPerUserPerYear) / 365);
  const newConversations = (v.dailyActiveUsers * v.newConversationsPerUserPerDay) / 2;
  return {
    groups: tally.result(),
    population: {
      constant: 0,
      users: 0,
      conversations: newConversations,
      memberships: 2 * newConversations,
      messages,
      groupReceiptSlots: receiptSlots,
      ackedMemberships: 2 * newConversations,
    },
    messages,
    copies,
  };
}
