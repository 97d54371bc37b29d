// The scenario registry's contract, looped over every entry: plans are deterministic, valid and
// internally consistent; parameters validate at the boundary.
import { MODELS } from '../../reference-server/models/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { describe, expect, it } from 'vitest';
import { ParamError, resolveParams } from '../../scenarios/define.ts';
import { planClients, seededRandom, type Plan } from '../../scenarios/plan.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const small: Record<string, string[]> = {
  'vacation-backlog': ['pairs=3', 'backlog=4'],
  'group-1000': ['members=7', 'messages=6'],
  'mass-reconnect': ['users=5', 'conversations=2', 'changes=3'],
  'receipts-toggle': ['users=3', 'conversations=4', 'opens=2'],
};

/** a combination of in-range parameters the plan cannot be built from, where a scenario has one */
const impossible: Record<string, string[] | undefined> = {
  'mass-reconnect': ['users=5', 'conversations=3', 'idle=3'],
  'receipts-toggle': ['conversations=4', 'opens=5'],
};

describe.each(Object.keys(SCENARIOS))('scenario %s', (id) => {
  const definition = SCENARIOS[id]!;

  it('refuses, without building the plan, exactly what its plan refuses', () => {
    const fine = resolveParams(definition, small[id]!);
    expect(() => definition.checkParams?.(fine as never)).not.toThrow();
    const refused = impossible[id];
    expect(refused !== undefined, 'a scenario with checkParams names an impossible combination here').toBe(definition.checkParams !== undefined);
    if (!refused) return;
    const params = resolveParams(definition, refused);
    const fromPlan = (() => {
      try {
        definition.plan(params as never, 1);
      } catch (error) {
        return error;
      }
    })();
    expect(fromPlan).toBeInstanceOf(RangeError);
    expect(() => definition.checkParams!(params as never)).toThrow((fromPlan as Error).message);
  });

  it('has small test parameters in this suite', () => {
    expect(small[id]).toBeDefined();
  });

  it('makes the same plan from the same seed, and another from another seed where it is random', () => {
    const params = resolveParams(definition, small[id]!);
    expect(JSON.stringify(definition.plan(params as never, 7))).toBe(JSON.stringify(definition.plan(params as never, 7)));
  });

  it('builds a consistent plan: members exist, scripts only touch their own conversations, expectations cover real conversations', () => {
    const plan: Plan = definition.plan(resolveParams(definition, small[id]!) as never, 1);
    const users = new Set(plan.users);
    const conversations = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
    expect(conversations.size).toBe(plan.conversations.length);
    for (const conversation of plan.conversations) for (const member of conversation.members) expect(users.has(member)).toBe(true);
    for (const client of planClients(plan)) expect(users.has(client)).toBe(true);
    for (const phase of plan.phases) {
      for (const script of phase.scripts) {
        for (const step of script.steps) {
          if ('conversationId' in step) expect(conversations.get(step.conversationId)?.members).toContain(script.userId);
        }
      }
    }
    for (const expected of plan.expected) expect(conversations.has(expected.conversationId)).toBe(true);
    // every message the plan sends is expected somewhere, and nothing else
    let sent = 0;
    for (const phase of plan.phases) {
      for (const script of phase.scripts) for (const step of script.steps) if (step.op === 'send') sent += step.at.length;
      // bulk history: messages the model imports instead of clients sending them
      for (const item of phase.history ?? []) {
        expect(conversations.get(item.conversationId)?.members).toContain(item.senderId);
        sent += item.messages;
      }
    }
    expect(plan.expected.reduce((sum, expected) => sum + expected.messages, 0)).toBe(sent);
  });

  it('has defaults inside their ranges and thresholds for every model', () => {
    const defaults = resolveParams(definition, []);
    for (const [name, spec] of Object.entries(definition.params)) expect(defaults[name]).toBe(spec.default);
    for (const [id, model] of Object.entries(MODELS)) {
      expect(Object.keys(definition.thresholds?.(defaults as never, model.traits(defaultOptions(id))) ?? {}).length, id).toBeGreaterThan(0);
    }
  });
});

describe('parameters', () => {
  const definition = SCENARIOS['vacation-backlog']!;
  it('applies --set values over the defaults, the last one winning', () => {
    expect(resolveParams(definition, ['backlog=7', 'backlog=9'])).toMatchObject({ backlog: 9, pairs: 100 });
  });
  it.each([['backlog='], ['backlog=1e3x'], ['backlog=-1'], ['backlog=10001'], ['=3'], ['nope=1']])('rejects %s', (entry) => {
    expect(() => resolveParams(definition, [entry])).toThrow(ParamError);
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
