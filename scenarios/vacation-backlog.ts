import { defineScenario } from './define.ts';
import { seededRandom, type ClientScript, type Plan, type Step } from './plan.ts';

export default defineScenario({
  id: 'vacation-backlog',
  title: 'Vacation backlog',
  description:
    'Each recipient is offline while its sender sends a backlog; it reconnects, receives the backlog as one sync batch, acks delivery once, then opens the chat (one read ack).',
  params: {
    pairs: { default: 100, min: 1, max: 10_000, unit: 'sender/recipient pairs', description: 'independent 1:1 conversations' },
    backlog: { default: 50, min: 1, max: 10_000, unit: 'messages', description: 'messages sent while the recipient is away' },
    sendRate: { default: 1000, min: 1, max: 100_000, unit: 'messages/s', description: 'scheduled send rate over all senders' },
    returnWindow: {
      default: 0,
      min: 0,
      max: 600,
      unit: 's',
      description: 'recipients come back at seeded times spread over this window (0: all at once)',
      integer: false,
    },
    leave: { default: 0, min: 0, max: 1, unit: '0 or 1', description: '1: each recipient leaves as soon as it has read (closes the app)' },
  },
  // per message covered (a row and an event each) or per ack (one mark, one event); a model that
  // writes behind writes nothing at the ack, and its flushes coalesce a pair's two acks into at
  // most two rows, often one
  thresholds: (p, model) => {
    const perMessage = model.receipts({ kind: 'direct', members: 2 }) === 'per-message';
    const atAck = model.durability === 'write-through';
    const rows = atAck ? (perMessage ? p.backlog : 1) : 0;
    return {
      'read.rows_written_per_action': [`== ${rows}`],
      'deliver.rows_written_per_action': [`== ${rows}`],
      'read.events_pushed_per_action': [`== ${perMessage ? p.backlog : 1}`],
      'receipts.rows_per_ack': [perMessage ? `== ${p.backlog}` : atAck ? '== 1' : '<= 1'],
      ...(atAck ? { 'check.acked_receipts_lost': ['== 0'] } : {}),
      'check.ticks_consistent': ['== true'],
      'db.consistent': ['== true'],
    };
  },
  // the two newest parameters default in the plan too: params built by hand (or from results that
  // predate them) mean what they always meant
  plan({ pairs, backlog, sendRate, returnWindow = 0, leave = 0 }, seed): Plan {
    const intervalMs = (1000 * pairs) / sendRate;
    // drawn only for a window, so a plan without one stays what it always was
    const random = seededRandom(seed);
    const comeBack = (): Step => (returnWindow > 0 ? { op: 'connect', at: random() * returnWindow * 1000 } : { op: 'connect' });
    const sendersLogin: ClientScript[] = [];
    const senders: ClientScript[] = [];
    const recipientsLogin: ClientScript[] = [];
    const returning: ClientScript[] = [];
    const conversations = [];
    for (let k = 0; k < pairs; k++) {
      const sender = 2 * k + 1;
      const recipient = 2 * k + 2;
      const conversationId = k + 1;
      conversations.push({ id: conversationId, kind: 'direct' as const, members: [sender, recipient] });
      recipientsLogin.push({ userId: recipient, steps: [{ op: 'connect' }, { op: 'disconnect' }] });
      // connected in a phase of their own: a send scheduled while its sender was still connecting
      // would wait for the connection, and its ack latency would measure 100 logins at once
      sendersLogin.push({ userId: sender, steps: [{ op: 'connect' }] });
      senders.push({
        userId: sender,
        steps: [{ op: 'send', conversationId, at: Array.from({ length: backlog }, (_, i) => (k / pairs) * intervalMs + i * intervalMs) }],
      });
      returning.push(
        {
          userId: recipient,
          steps: [comeBack(), { op: 'awaitReceived', conversationId, count: backlog }, { op: 'open', conversationId }, ...(leave ? [{ op: 'disconnect' } as const] : [])],
        },
        { userId: sender, steps: [{ op: 'awaitTicks', tick: 'read' }] },
      );
    }
    const timeoutMs = 60_000 + (pairs * backlog) / 5 + returnWindow * 1000;
    return {
      scenario: 'vacation-backlog',
      seed,
      params: { pairs, backlog, sendRate, returnWindow, leave },
      users: Array.from({ length: 2 * pairs }, (_, i) => i + 1),
      conversations,
      phases: [
        { name: 'recipients log in, then leave', scripts: recipientsLogin, timeoutMs },
        { name: 'senders log in', scripts: sendersLogin, timeoutMs },
        { name: 'senders send the backlog', scripts: senders, timeoutMs },
        { name: 'recipients return and read', scripts: returning, timeoutMs },
      ],
      expected: conversations.map((conversation) => ({ conversationId: conversation.id, messages: backlog, tick: 'read' as const })),
      notes: [
        'The backlog reaches the recipient as one sync batch, so one cumulative delivery ack covers it. Live messages to an online client are acked one by one (see group-1000), where delivery costs look alike for both models.',
      ],
    };
  },
});
