import { defineScenario } from './define.ts';
import { seededRandom, type ClientScript, type Plan } from './plan.ts';

export default defineScenario({
  id: 'group-1000',
  title: 'A 1000-member group',
  description:
    'One group with every member online; messages sent by random members at a fixed rate; each member opens the chat after every `readEvery` messages (and once at the end).',
  params: {
    members: { default: 1000, min: 2, max: 5000, unit: 'members', description: 'group size, all online' },
    messages: { default: 20, min: 1, max: 10_000, unit: 'messages', description: 'messages sent in the group' },
    rate: { default: 5, min: 0.1, max: 1000, unit: 'messages/s', description: 'scheduled send rate', integer: false },
    readEvery: { default: 5, min: 1, max: 10_000, unit: 'messages', description: 'a member opens the chat after this many messages' },
  },
  // live delivery acks are cumulative over what arrived in order, so their per-action figures
  // depend on arrival order: only what the models fix exactly is a threshold here. A send stores
  // the message and moves the sequence (2 rows), plus a receipt row per recipient where receipts
  // are per message; a read moves one mark where they are marks (none at the ack when written behind)
  thresholds: (p, model) => {
    const perMessage = model.receipts({ kind: 'group', members: p.members }) === 'per-message';
    return {
      'send.rows_written_per_action': [`== ${perMessage ? p.members + 1 : 2}`],
      ...(perMessage ? {} : { 'read.rows_written_per_action': [`== ${model.durability === 'write-through' ? 1 : 0}`] }),
      'check.ticks_consistent': ['== true'],
      'db.consistent': ['== true'],
    };
  },
  plan({ members, messages, rate, readEvery }, seed): Plan {
    const random = seededRandom(seed);
    const users = Array.from({ length: members }, (_, i) => i + 1);
    const conversationId = 1;
    const sendTimes = new Map<number, number[]>();
    for (let i = 0; i < messages; i++) {
      const sender = users[Math.floor(random() * members)]!;
      const times = sendTimes.get(sender) ?? [];
      times.push((i * 1000) / rate);
      sendTimes.set(sender, times);
    }
    const chat: ClientScript[] = users.map((userId) => {
      const own = sendTimes.get(userId) ?? [];
      return {
        userId,
        readEvery: { conversationId, every: readEvery },
        steps: [
          ...(own.length ? [{ op: 'send' as const, conversationId, at: own }] : []),
          { op: 'awaitReceived' as const, conversationId, count: messages - own.length },
          { op: 'open' as const, conversationId },
          { op: 'awaitTicks' as const, tick: 'read' as const },
        ],
      };
    });
    const readBy: ClientScript[] = [...sendTimes.keys()].map((userId) => ({ userId, steps: [{ op: 'readBy', conversationId }] }));
    const timeoutMs = 60_000 + (messages * 1000) / rate + members * 10;
    return {
      scenario: 'group-1000',
      seed,
      params: { members, messages, rate, readEvery },
      users,
      conversations: [{ id: conversationId, kind: 'group', members: users }],
      phases: [
        { name: 'members join', scripts: users.map((userId) => ({ userId, steps: [{ op: 'connect' }] })), timeoutMs },
        { name: 'chat', scripts: chat, timeoutMs },
        { name: 'senders ask "read by X of Y"', scripts: readBy, timeoutMs },
      ],
      expected: [{ conversationId, messages, tick: 'read' }],
      notes: [
        'Live messages to online members are acked one by one, so delivery costs one write per member per message in both models; the difference is in reads (one write per open for watermark, one per message for naive) and in the receipt rows naive inserts at send.',
      ],
    };
  },
});
