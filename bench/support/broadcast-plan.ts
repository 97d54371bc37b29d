// The plan a broadcast bench hands chatbench's client fleet: every client connects and syncs,
// then waits for `messages` pushes in one group conversation, acking each delivery as a live
// client does. Shared by the peers bench and the scenarios bench's fan-out, so both measure the
// same client work.
import type { Plan } from '../../scenarios/plan.ts';

export function broadcastPlan(userIds: number[], messages: number): Plan {
  return {
    scenario: 'broadcast-bench',
    seed: 1,
    params: {},
    users: userIds,
    conversations: [{ id: 1, kind: 'group', members: userIds }],
    phases: [
      { name: 'connect', scripts: userIds.map((userId) => ({ userId, steps: [{ op: 'connect' as const }] })), timeoutMs: 600_000 },
      { name: 'receive', scripts: userIds.map((userId) => ({ userId, steps: [{ op: 'awaitReceived' as const, conversationId: 1, count: messages }] })), timeoutMs: 600_000 },
    ],
    expected: [],
  };
}
