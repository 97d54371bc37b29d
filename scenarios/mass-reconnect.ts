import { defineScenario } from './define.ts';
import { seededRandom, type ClientScript, type Plan } from './plan.ts';

export default defineScenario({
  id: 'mass-reconnect',
  title: 'Mass reconnect',
  description:
    'Each user sends messages in each of its conversations and goes offline; its peers receive and read them; then every user reconnects within a window and syncs its ticks.',
  params: {
    users: { default: 5000, min: 1, max: 100_000, unit: 'users', description: 'users that reconnect (each has as many peers)' },
    conversations: { default: 5, min: 1, max: 100, unit: 'conversations per user', description: '1:1 conversations per user' },
    changes: { default: 10, min: 1, max: 1000, unit: 'messages per conversation', description: 'messages whose status changed while offline' },
    idle: { default: 0, min: 0, max: 100, unit: 'conversations per user', description: 'further 1:1 conversations per user where nothing changed while offline' },
    window: { default: 5, min: 0, max: 600, unit: 's', description: 'every user reconnects within this window', integer: false },
    sendRate: { default: 5000, min: 1, max: 100_000, unit: 'messages/s', description: 'scheduled send rate while building live history' },
    liveHistory: {
      default: 0,
      min: 0,
      max: 1,
      unit: '0 or 1',
      description:
        "1: users send and peers read through the server before the storm; 0: the model imports the same history in bulk and each user's device is restored offline as its login would have left it (setup)",
    },
  },
  // a reconnect replays every changed message where receipts are per message, one update per
  // changed conversation where they are marks (buffered marks are drained before the storm)
  thresholds: (p, model) => ({
    'reconnect.events_pushed_per_action': [`== ${model.receipts({ kind: 'direct', members: 2 }) === 'per-message' ? p.conversations * p.changes : p.conversations}`],
    'check.ticks_consistent': ['== true'],
    'db.consistent': ['== true'],
  }),
  checkParams({ users, conversations, idle }) {
    if (conversations + idle > users) {
      throw new RangeError(`--set conversations=${conversations}${idle ? ` plus idle=${idle}` : ''}: at most users (${users}), so every peer is distinct`);
    }
  },
  plan({ users, conversations, changes, idle, window, sendRate, liveHistory }, seed): Plan {
    const random = seededRandom(seed);
    // user i talks to peers (i + j) mod users: every peer is in exactly `conversations` chats too
    const peerId = (index: number) => users + index + 1;
    const conversationList = [];
    const peerConversations = new Map<number, number[]>();
    for (let i = 0; i < users; i++) {
      for (let j = 0; j < conversations; j++) {
        const id = i * conversations + j + 1;
        const peer = peerId((i + j) % users);
        conversationList.push({ id, kind: 'direct' as const, members: [i + 1, peer] });
        peerConversations.set(peer, [...(peerConversations.get(peer) ?? []), id]);
      }
    }
    // quiet chats: the user is in them, nothing happens in them, the reconnect still lists them
    const idleList = Array.from({ length: users * idle }, (_, n) => {
      const i = Math.floor(n / idle);
      return { id: users * conversations + n + 1, kind: 'direct' as const, members: [i + 1, peerId((i + conversations + (n % idle)) % users)] };
    });
    const perUser = conversations * changes;
    const intervalMs = (1000 * users) / sendRate;
    const senders: ClientScript[] = Array.from({ length: users }, (_, i) => ({
      userId: i + 1,
      steps: [
        { op: 'connect' },
        ...Array.from({ length: conversations }, (_, j) => ({
          op: 'send' as const,
          conversationId: i * conversations + j + 1,
          at: Array.from({ length: changes }, (_, k) => (i / users) * intervalMs + (j * changes + k) * intervalMs),
        })),
        { op: 'disconnect' },
      ],
    }));
    const peers: ClientScript[] = [...peerConversations].map(([userId, ids]) => ({
      userId,
      steps: [
        { op: 'connect' },
        ...ids.flatMap((conversationId) => [{ op: 'awaitReceived' as const, conversationId, count: changes }, { op: 'open' as const, conversationId }]),
        { op: 'disconnect' },
      ],
    }));
    const storm: ClientScript[] = Array.from({ length: users }, (_, i) => ({
      userId: i + 1,
      steps: [{ op: 'connect', at: random() * window * 1000 }, { op: 'awaitTicks', tick: 'read' }],
    }));
    const timeoutMs = 120_000 + (users * perUser) / 2;
    // the same stored state either way: what the storm measures does not depend on how it got there
    const history = liveHistory
      ? [
          { name: 'users send, then go offline', scripts: senders, timeoutMs },
          { name: 'peers receive and read', scripts: peers, timeoutMs },
        ]
      : [
          {
            name: 'history imported: peers received and read everything',
            // each user's device as a login before the history left it: what the storm resumes from
            scripts: Array.from({ length: users }, (_, i): ClientScript => ({
              userId: i + 1,
              steps: [
                {
                  op: 'restore',
                  conversations: [
                    ...Array.from({ length: conversations }, (_, j) => ({ id: i * conversations + j + 1, kind: 'direct' as const, members: 2, own: changes })),
                    ...idleList.slice(i * idle, (i + 1) * idle).map((conversation) => ({ id: conversation.id, kind: 'direct' as const, members: 2, own: 0 })),
                  ],
                },
              ],
            })),
            history: conversationList.map((conversation) => ({ conversationId: conversation.id, senderId: conversation.members[0]!, messages: changes })),
            timeoutMs,
          },
        ];
    return {
      scenario: 'mass-reconnect',
      seed,
      params: { users, conversations, changes, idle, window, sendRate, liveHistory },
      users: [...new Set([...Array.from({ length: users }, (_, i) => i + 1), ...peerConversations.keys(), ...idleList.map((c) => c.members[1]!)])],
      conversations: [...conversationList, ...idleList],
      phases: [...history, { name: 'every user reconnects', scripts: storm, timeoutMs }],
      expected: conversationList.map((conversation) => ({ conversationId: conversation.id, messages: changes, tick: 'read' as const })),
    };
  },
});
