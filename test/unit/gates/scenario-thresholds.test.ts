// Scenario definitions carry thresholds for the gate: each must be a valid thresholds file at
// the scenario's default params, so a misspelt metric fails here rather than as an unknown in CI.
import { describe, expect, it } from 'vitest';
import { parseGateFile } from '../../../analysis/gates/thresholds.ts';
import { SCENARIOS } from '../../../scenarios/registry.ts';

const withThresholds = Object.values(SCENARIOS).filter((s) => s.thresholds);

describe('scenario thresholds', () => {
  it('exist for at least one scenario', () => {
    expect(withThresholds.length).toBeGreaterThan(0);
  });

  it.each(withThresholds.map((s) => [s.id, s] as const))('%s: parse as gate thresholds at the default params', (_id, scenario) => {
    const defaults = Object.fromEntries(Object.entries(scenario.params).map(([name, spec]) => [name, spec.default]));
    const file = parseGateFile(scenario.thresholds!(defaults), scenario.id);
    expect(file.thresholds.length).toBeGreaterThan(0);
  });
});
