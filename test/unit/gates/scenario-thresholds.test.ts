// Scenario definitions carry thresholds for the gate, derived from a model's traits: at the
// scenario's default params, for every registered model, they must form a valid thresholds file,
// so a misspelt metric fails here rather than as an unknown in CI.
import { describe, expect, it } from 'vitest';
import { parseGateFile } from '../../../analysis/gates/thresholds.ts';
import { defaultOptions } from '../../../reference-server/models/options.ts';
import { MODELS } from '../../../reference-server/models/registry.ts';
import { scenarioThresholds } from '../../../scenarios/define.ts';
import { SCENARIOS } from '../../../scenarios/registry.ts';

const withThresholds = Object.values(SCENARIOS).filter((s) => s.thresholds);
const traits = Object.fromEntries(Object.entries(MODELS).map(([id, model]) => [id, model.traits(defaultOptions(id))]));

describe('scenario thresholds', () => {
  it('exist for every scenario', () => {
    expect(withThresholds.map((s) => s.id)).toEqual(Object.keys(SCENARIOS));
  });

  it.each(withThresholds.map((s) => [s.id, s] as const))('%s: parse as gate thresholds for every registered model at the default params', (_id, scenario) => {
    const defaults = Object.fromEntries(Object.entries(scenario.params).map(([name, spec]) => [name, spec.default]));
    const spec = scenarioThresholds(scenario, defaults, traits);
    expect(Object.keys(spec)).toEqual(Object.keys(MODELS));
    const file = parseGateFile(spec, scenario.id);
    for (const model of Object.keys(MODELS)) {
      const own = file.thresholds.filter((t) => t.model === model);
      // every model is held to consistency and to at least one exact cost
      expect(own.map((t) => t.metric.name)).toEqual(expect.arrayContaining(['check.ticks_consistent', 'db.consistent']));
      expect(own.some((t) => t.metric.kind === 'perAction' && t.expression.op === '==')).toBe(true);
    }
  });

  it('derive costs from traits, not names: a model with naive\'s traits gets naive\'s thresholds', () => {
    const vacation = SCENARIOS['vacation-backlog']!;
    const params = { pairs: 3, backlog: 7, sendRate: 100 };
    const lookalike = { receipts: () => 'per-message' as const, durability: 'write-through' as const, settings: 'per-membership' as const };
    expect(vacation.thresholds!(params, lookalike)).toEqual(vacation.thresholds!(params, traits.naive!));
    expect(vacation.thresholds!(params, traits.naive!)).toMatchObject({ 'read.rows_written_per_action': ['== 7'], 'read.events_pushed_per_action': ['== 7'] });
    expect(vacation.thresholds!(params, traits.watermark!)).toMatchObject({ 'read.rows_written_per_action': ['== 1'], 'receipts.rows_per_ack': ['== 1'] });
    // written behind: nothing at the ack, one event at once, at most a row per ack in flushes, loss not promised away
    const behind = vacation.thresholds!(params, traits['write-behind']!);
    expect(behind).toMatchObject({ 'read.rows_written_per_action': ['== 0'], 'read.events_pushed_per_action': ['== 1'], 'receipts.rows_per_ack': ['<= 1'] });
    expect(behind['check.acked_receipts_lost']).toBeUndefined();
    // hybrid follows the store each conversation uses: per message in a direct chat, marks in a big group
    expect(vacation.thresholds!(params, traits.hybrid!)).toEqual(vacation.thresholds!(params, traits.naive!));
    const group = SCENARIOS['group-1000']!;
    const groupParams = { members: 150, messages: 5, rate: 5, readEvery: 5 };
    expect(group.thresholds!(groupParams, traits.hybrid!)).toEqual(group.thresholds!(groupParams, traits.watermark!));
    expect(group.thresholds!({ ...groupParams, members: 100 }, traits.hybrid!)).toEqual(group.thresholds!({ ...groupParams, members: 100 }, traits.naive!));
  });
});
