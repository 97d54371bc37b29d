// Our own CI's thresholds: every file must load, name registered models, and hold exactly the
// costs its scenario derives from each model's traits for the file's own params, so editing a
// param without its counts (or a model's traits without the files) fails here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGateFile, parseGateFile, type GateFile } from '../../../analysis/gates/thresholds.ts';
import { defaultOptions } from '../../../reference-server/models/options.ts';
import { MODELS } from '../../../reference-server/models/registry.ts';
import { scenarioThresholds, resolveParams } from '../../../scenarios/define.ts';
import { SCENARIOS } from '../../../scenarios/registry.ts';

const DIR = 'gates';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

const expressions = (file: GateFile, model: string) =>
  file.thresholds.filter((t) => t.model === model).map((t) => `${t.metric.name} ${t.expression.source}`).sort();

describe('gates/*.json', () => {
  // group-1000's live acks land in arrival order, so its counts are checked by the integration tests, not in CI gates
  it('covers the three scenarios with exact counts', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(['mass-reconnect', 'receipts-toggle', 'vacation-backlog']);
  });

  it.each(files)('%s names its scenario and holds, per model, what the scenario derives from the model\'s traits', async (name) => {
    const file = await loadGateFile(join(DIR, name));
    expect(file.scenario).toBe(name.replace(/\.json$/, ''));
    expect(file.seed).toBeTypeOf('number');
    const scenario = SCENARIOS[file.scenario!]!;
    const params = resolveParams(scenario, Object.entries(file.params ?? {}).map(([key, value]) => `${key}=${value}`));
    const models = [...new Set(file.thresholds.map((t) => t.model))];
    expect(models.slice(0, 2)).toEqual(['naive', 'watermark']);
    for (const model of models) {
      expect(Object.keys(MODELS), `${name}: model ${model}`).toContain(model);
      const derived = parseGateFile(scenarioThresholds(scenario, params, { [model]: MODELS[model]!.traits(defaultOptions(model)) }), 'derived');
      // the file may add thresholds of its own, but states every derived one exactly as derived
      expect(expressions(file, model), `${name}: ${model}`).toEqual(expect.arrayContaining(expressions(derived, model)));
    }
  });
});
