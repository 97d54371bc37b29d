// Where each client connects in a multi-node run: every 1:1 chat split across nodes, roles spread
// over the nodes, groups spread by user id.
import { describe, expect, it } from 'vitest';
import { placeClients } from '../../scenarios/placement.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { resolveParams } from '../../scenarios/define.ts';

const planOf = (id: string, sets: string[]) => SCENARIOS[id]!.plan(resolveParams(SCENARIOS[id]!, sets) as never, 1);

describe('placeClients', () => {
  it.each([
    ['vacation-backlog', ['pairs=9', 'backlog=2']],
    ['mass-reconnect', ['users=20', 'conversations=3', 'changes=1', 'liveHistory=1']],
    ['receipts-toggle', ['users=4', 'conversations=6', 'opens=2']],
  ])('%s: both members of every 1:1 chat sit on different nodes', (id, sets) => {
    const plan = planOf(id, sets);
    for (const nodes of [2, 3]) {
      const placement = placeClients(plan, nodes);
      for (const conversation of plan.conversations) {
        const [a, b] = conversation.members as [number, number];
        expect(placement.get(a), `${id} conversation ${conversation.id} on ${nodes} nodes`).not.toBe(placement.get(b));
      }
    }
  });

  it('gives each node half the senders and half the recipients of independent pairs', () => {
    const placement = placeClients(planOf('vacation-backlog', ['pairs=10', 'backlog=2']), 2);
    const senders = Array.from({ length: 10 }, (_, k) => placement.get(2 * k + 1));
    expect(senders.filter((node) => node === 0)).toHaveLength(5);
    expect(senders.filter((node) => node === 1)).toHaveLength(5);
  });

  it('spreads the reconnecting users over the nodes when their peers never connect (history imported in bulk)', () => {
    const plan = planOf('mass-reconnect', ['users=30', 'conversations=3', 'changes=1', 'liveHistory=0']);
    for (const nodes of [2, 3]) {
      const perNode = Array.from({ length: nodes }, () => 0);
      for (let userId = 1; userId <= 30; userId++) perNode[placeClients(plan, nodes).get(userId)!]! += 1;
      expect(perNode).toEqual(Array.from({ length: nodes }, () => 30 / nodes));
    }
  });

  it('spreads a group by user id, and puts everyone on node 0 of one', () => {
    const plan = planOf('group-1000', ['members=6', 'messages=2']);
    expect([...placeClients(plan, 2)].sort((a, b) => a[0] - b[0]).map(([, node]) => node)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(new Set(placeClients(plan, 1).values())).toEqual(new Set([0]));
  });
});
