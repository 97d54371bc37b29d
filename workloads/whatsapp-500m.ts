// The design's back-of-envelope estimate (500M daily users, 100B messages a day) as a workload.
// "design": the estimate's own input. "ours": not in the estimate; the reason (and a source where
// there is one) says why this value.
import { defineWorkload } from '../analysis/simulation/workload.ts';

const design = (value: number, why: string) => ({ value, basis: 'design' as const, why });
const ours = <T>(value: T, why: string) => ({ value, basis: 'ours' as const, why });

export default defineWorkload({
  name: 'whatsapp-500m',
  description: "The design's back-of-envelope traffic at 500M daily users, with the receipt-relevant mix chatbench needs on top.",
  dailyActiveUsers: design(500e6, '500M daily active users'),
  messagesPerUserPerDay: design(200, '100B messages a day over 500M DAU (the estimate also says ~40 per user, which does not multiply to 100B; we keep the total)'),
  peakToAverage: design(3, 'peak QPS = 3 x average'),
  concurrentShare: design(0.1, '10% of DAU connected at once'),
  connectionBytes: design(10_000, '~10 KB of memory per WebSocket connection'),
  connectionsPerServer: design(500_000, '~500K connections per chat server'),
  messageBytes: design(150, '100 bytes of text + 50 bytes of metadata'),
  mediaShare: design(0.1, '10% of messages include media'),
  mediaBytes: design(500_000, 'average media item 500 KB'),
  directShare: ours(0.7, 'most messages go to a 1:1 peer; no public split, so seven in ten'),
  groupSizes: ours({ 3: 0.2, 5: 0.25, 10: 0.25, 30: 0.15, 100: 0.1, 256: 0.04, 1024: 0.01 }, 'small groups dominate; 1024 is the largest group the design allows'),
  offlineShare: ours(0.3, 'only 10% of users are connected at once, but replies cluster in shared sessions: three 1:1 messages in ten wait for an offline recipient'),
  backlogLengths: ours({ 1: 0.4, 3: 0.3, 10: 0.2, 50: 0.1 }, 'most backlogs are a message or a few; one in ten is a vacation-sized 50 (the seeds\' example)'),
  activeConversationsPerUser: ours(8, 'a user opens a handful of chats a day'),
  readsPerConversationPerDay: ours(4, 'each opened a few times a day'),
  conversationsPerUser: ours(200, "the seeds' example user is in 200 conversations"),
  newConversationsPerUserPerDay: ours(0.1, 'a new chat every ten days'),
  reconnectsPerUserPerDay: ours(5, 'mobile clients drop and resume the socket several times a day'),
  conversationsChangedPerReconnect: ours(5, "the seeds' offline-sync example: 5 conversations with pending status updates"),
  changesPerConversation: ours(10, 'as mass-reconnect by default: 10 messages changed status per conversation while away'),
  receiptsOffShare: ours(0.1, 'a minority turn read receipts off'),
  togglesPerUserPerYear: ours(1, 'the seeds: settings change "maybe once a year per user"'),
  chatServerCores: ours(16, 'a common server size; one Node process per core'),
  targetUtilisation: ours(0.7, 'headroom at peak: queueing delay grows steeply past about 70% busy'),
  typicalSeq: ours(5000, 'long-lived chats: seqs in the thousands, 4 digits in a status frame'),
  stormUsers: ours(15_000, 'as the reconnect-storm benchmark: 15,000 users on one node'),
  stormWindowSeconds: ours(10, 'as the reconnect-storm benchmark: within 10 seconds'),
});
