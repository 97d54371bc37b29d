import { defineScenario } from './define.ts';
import { seededRandom, type ClientScript, type Plan, type PlanConversation } from './plan.ts';

export default defineScenario({
  id: 'receipts-toggle',
  title: 'Read-receipts toggle',
  description: 'Each user, in many conversations, turns read receipts off, then opens some of its chats.',
  params: {
    users: { default: 100, min: 1, max: 10_000, unit: 'users', description: 'users who toggle' },
    conversations: { default: 200, min: 1, max: 5000, unit: 'conversations per user', description: 'conversations each user is in' },
    opens: { default: 20, min: 1, max: 5000, unit: 'chats', description: 'chats each user opens after the toggle' },
  },
  // the setting on every membership row (a write per conversation, a look-up per open) or once per user
  thresholds: (p, model) => {
    const perMembership = model.settings === 'per-membership';
    return {
      'toggle.rows_written_per_action': [`== ${perMembership ? p.conversations : 1}`],
      'open.rows_read_per_action': [`== ${perMembership ? 1 : 0}`],
      'check.ticks_consistent': ['== true'],
      'db.consistent': ['== true'],
    };
  },
  checkParams({ conversations, opens }) {
    if (opens > conversations) throw new RangeError(`--set opens=${opens}: at most conversations (${conversations})`);
  },
  plan({ users, conversations, opens }, seed): Plan {
    const random = seededRandom(seed);
    // peer j is every user's partner in conversation j: `conversations` peers in all
    const peer = (j: number) => users + j + 1;
    const conversationList: PlanConversation[] = [];
    const opened = new Map<number, number[]>();
    const peerSends = new Map<number, number[]>();
    for (let u = 0; u < users; u++) {
      const ids = Array.from({ length: conversations }, (_, j) => u * conversations + j + 1);
      ids.forEach((id, j) => conversationList.push({ id, kind: 'direct', members: [u + 1, peer(j)] }));
      const chosen = shuffle(ids, random).slice(0, opens).sort((a, b) => a - b);
      opened.set(u + 1, chosen);
      for (const id of chosen) {
        const j = (id - 1) % conversations;
        peerSends.set(peer(j), [...(peerSends.get(peer(j)) ?? []), id]);
      }
    }
    const togglers = Array.from({ length: users }, (_, u) => u + 1);
    const peers = Array.from({ length: conversations }, (_, j) => peer(j));
    const timeoutMs = 60_000 + users * opens * 2;
    const login: ClientScript[] = [...togglers, ...peers].map((userId) => ({ userId, steps: [{ op: 'connect' }] }));
    const messages: ClientScript[] = [
      ...[...peerSends].map(([userId, ids]) => ({ userId, steps: ids.map((conversationId) => ({ op: 'send' as const, conversationId, at: [0] })) })),
      ...togglers.map((userId) => ({
        userId,
        steps: opened.get(userId)!.map((conversationId) => ({ op: 'awaitReceived' as const, conversationId, count: 1 })),
      })),
    ];
    return {
      scenario: 'receipts-toggle',
      seed,
      params: { users, conversations, opens },
      users: [...togglers, ...peers],
      conversations: conversationList,
      phases: [
        { name: 'everyone logs in', scripts: login, timeoutMs },
        { name: 'peers send one message to each chat that will be opened', scripts: messages, timeoutMs },
        { name: 'users turn read receipts off', scripts: togglers.map((userId) => ({ userId, steps: [{ op: 'toggle', readReceipts: false }] })), timeoutMs },
        {
          name: 'users open chats',
          scripts: togglers.map((userId) => ({ userId, steps: opened.get(userId)!.map((conversationId) => ({ op: 'open' as const, conversationId })) })),
          timeoutMs,
        },
      ],
      // receipts are off: what was opened stays delivered, never read
      expected: [...opened.values()].flat().map((conversationId) => ({ conversationId, messages: 1, tick: 'delivered' as const })),
    };
  },
});

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
