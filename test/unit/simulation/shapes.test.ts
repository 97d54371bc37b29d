// The simulator's shapes against the scenarios they describe: every scenario has shapes, every
// calibration point is a valid run, and the action counts a plan fixes (sends, connects and
// reconnects, toggles, opens, "read by") are the counts the shapes declare.
import { describe, expect, it } from 'vitest';
import { featuresOf } from '../../../analysis/simulation/features.ts';
import { SHAPES } from '../../../analysis/simulation/shapes/index.ts';
import { resolveParams } from '../../../scenarios/define.ts';
import type { Plan } from '../../../scenarios/plan.ts';
import { SCENARIOS } from '../../../scenarios/registry.ts';

/** What a plan says each user does, counted without knowing any model. */
function planCounts(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = { send: 0, connect: 0, reconnect: 0, toggle: 0, read_by: 0, open: 0 };
  const connected = new Set<number>();
  for (const phase of plan.phases) {
    for (const script of phase.scripts) {
      for (const step of script.steps) {
        if (step.op === 'send') counts.send! += step.at.length;
        if (step.op === 'toggle') counts.toggle! += 1;
        if (step.op === 'readBy') counts.read_by! += 1;
        if (step.op === 'open') counts.open! += 1;
        // a restored device synced before: its next connect is a reconnect
        if (step.op === 'restore') connected.add(script.userId);
        if (step.op === 'connect') {
          counts[connected.has(script.userId) ? 'reconnect' : 'connect']! += 1;
          connected.add(script.userId);
        }
      }
    }
  }
  return counts;
}

const SMALL: Record<string, string[]> = {
  'vacation-backlog': ['pairs=4', 'backlog=12'],
  'receipts-toggle': ['users=3', 'conversations=7', 'opens=4'],
  'mass-reconnect': ['users=9', 'conversations=2', 'changes=3', 'idle=2'],
  'group-1000': ['members=9', 'messages=7', 'readEvery=3'],
};

describe('scenario shapes', () => {
  it('every scenario has shapes, and every shapes entry a scenario', () => {
    expect(Object.keys(SHAPES).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  for (const [id, shapes] of Object.entries(SHAPES)) {
    const definition = SCENARIOS[id]!;

    it(`${id}: calibration and validation points are valid parameters`, () => {
      const points = [...shapes.calibration, ...(shapes.validation ? shapes.validation.points.map((point) => ({ ...shapes.validation!.base, ...point })) : [])];
      expect(points.length).toBeGreaterThan(0);
      for (const point of points) {
        const params = resolveParams(definition, Object.entries(point).map(([key, value]) => `${key}=${value}`));
        expect(() => definition.plan(params as never, 1)).not.toThrow();
      }
    });

    it(`${id}: declares the counts its plan fixes, with features from each kind's vocabulary`, () => {
      const params = resolveParams(definition, SMALL[id]!);
      const groups = shapes.actions(params, 1);
      const plan = definition.plan(params as never, 1);
      const declared: Record<string, number> = {};
      for (const group of groups) {
        declared[group.kind] = (declared[group.kind] ?? 0) + group.count;
        expect(Object.keys(group.features).sort()).toEqual([...featuresOf(group.kind)].sort());
        expect(group.features.actions).toBe(group.count);
      }
      const counted = planCounts(plan);
      // a group member opens after every readEvery messages as well: those opens are not steps
      const readers = plan.phases.some((phase) => phase.scripts.some((script) => script.readEvery));
      for (const kind of ['send', 'connect', 'reconnect', 'toggle', 'read_by', ...(readers ? [] : ['open'])]) {
        expect({ kind, count: declared[kind] ?? 0 }).toEqual({ kind, count: counted[kind] });
      }
    });

    it(`${id}: population counts the plan's users, conversations and memberships`, () => {
      const params = resolveParams(definition, SMALL[id]!);
      const plan = definition.plan(params as never, 1);
      const population = shapes.population(params, 1);
      expect(population.users).toBe(plan.users.length);
      expect(population.conversations).toBe(plan.conversations.length);
      expect(population.memberships).toBe(plan.conversations.reduce((sum, conversation) => sum + conversation.members.length, 0));
    });
  }
});
