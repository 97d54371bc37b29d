// One process's clients through a phase on a scripted transport: a client that cannot connect
// is counted as failed and the others still finish (a storm at scale must be counted, not
// aborted), and tick mismatches combine into a count with a bounded list of examples.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientFleet, MAX_MISMATCH_EXAMPLES, type TickReport } from '../../../drivers/client/fleet.ts';
import { SIM_CLIENT_DEFAULTS } from '../../../drivers/client/sim-client.ts';
import type { ClientSocket, SocketEvents, Transport } from '../../../drivers/client/transport.ts';
import { sumReports } from '../../../drivers/outcome.ts';
import type { ClientFrame, ServerFrame } from '../../../reference-server/protocol.ts';
import type { Plan } from '../../../scenarios/plan.ts';

/** Refuses the users in `refused`; answers sync and ping for everyone else. */
function transport(refused: Set<number>): Transport {
  return {
    async connect(url: string, events: SocketEvents): Promise<ClientSocket> {
      const userId = Number(new URL(url).searchParams.get('token'));
      if (refused.has(userId)) throw new Error(`ECONNRESET (user ${userId})`);
      const socket: ClientSocket = {
        isOpen: true,
        isClosed: false,
        send(text: string) {
          const frame = JSON.parse(text) as ClientFrame;
          const reply = (answer: ServerFrame) => queueMicrotask(() => events.onText(socket, JSON.stringify(answer)));
          if (frame.type === 'sync') reply({ type: 'synced', statusCursor: 0 } as ServerFrame);
          else if (frame.type === 'ping') reply({ type: 'pong' });
        },
        close() {},
      };
      return socket;
    },
  };
}

const plan: Plan = {
  scenario: 'test',
  seed: 1,
  params: {},
  users: [1, 2, 3, 4],
  conversations: [],
  phases: [{ name: 'connect', scripts: [1, 2, 3, 4].map((userId) => ({ userId, steps: [{ op: 'connect' as const }] })), timeoutMs: 10_000 }],
  expected: [],
};

const deadline = SIM_CLIENT_DEFAULTS.reconnectDeadlineMs;
afterEach(() => {
  SIM_CLIENT_DEFAULTS.reconnectDeadlineMs = deadline;
});

describe('ClientFleet.runPhase', () => {
  it('counts clients that fail and lets the others finish', async () => {
    SIM_CLIENT_DEFAULTS.reconnectDeadlineMs = 200;
    const errors: Record<string, number> = {};
    const fleet = new ClientFleet({
      plan,
      userIds: [1, 2, 3, 4],
      serverUrls: ['ws://node'],
      token: String,
      transport: transport(new Set([2, 4])),
      cachesSettings: false,
      sink: { latency() {}, count() {}, error: (code) => void (errors[code] = (errors[code] ?? 0) + 1), recovered() {}, resent() {} },
    });
    const result = await fleet.runPhase(0, Date.now());
    expect(errors.client_failed).toBe(2);
    expect(errors.phase_failed).toBeUndefined();
    expect(fleet.done).toBe(4);
    expect(result.actions).toEqual({ connect: 2 });
    expect(result.error).toBeUndefined();
    expect(result.failure).toMatch(/^phase "connect": 2 of 4 clients failed \(first: ECONNRESET \(user [24]\)\)$/);
  });
});

describe('sumReports', () => {
  it('sums mismatch counts and keeps examples bounded, however many there are', () => {
    const part = (mismatched: number): TickReport => ({ ownMessages: { 1: 2 }, checked: mismatched, mismatched, mismatches: Array.from({ length: Math.min(mismatched, MAX_MISMATCH_EXAMPLES) }, (_, i) => `example ${i}`) });
    const reports = Array.from({ length: 8 }, () => ({ actions: {}, errors: {}, ticks: part(150_000) }));
    const total = sumReports(reports);
    expect(total.ticks.mismatched).toBe(1_200_000);
    expect(total.ticks.checked).toBe(1_200_000);
    expect(total.ticks.mismatches).toHaveLength(MAX_MISMATCH_EXAMPLES);
    expect(total.ticks.ownMessages).toEqual({ 1: 16 });
  });
});
