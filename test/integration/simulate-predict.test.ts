// simulate predict against fresh measured runs, at parameters no calibration run used: every
// figure of every action the prediction calls exact equals the run, per model, and the actions
// each scenario fixes are all called exact (so the test cannot pass by calling nothing exact).
// Priced with the shipped calibration: a code change that moves a count fails here until the
// calibration is made again (chatbench simulate calibrate --out calibration/reference.json).
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parseCalibration } from '../../analysis/simulation/calibration.ts';
import { predictScenario } from '../../analysis/simulation/prediction.ts';
import { SHAPES } from '../../analysis/simulation/shapes/index.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { SHIPPED_MODELS } from '../../reference-server/models/registry.ts';
import { resolveParams } from '../../scenarios/define.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const FILE = 'calibration/reference.json';
const calibration = parseCalibration(JSON.parse(readFileSync(FILE, 'utf8')), FILE);
const RECALIBRATE = 'run chatbench simulate calibrate --out calibration/reference.json';

const CASES: Array<{ scenario: string; sets: string[]; exact: string[] }> = [
  { scenario: 'vacation-backlog', sets: ['pairs=9', 'backlog=33', 'sendRate=1000'], exact: ['send', 'deliver', 'read', 'reconnect', 'open', 'connect'] },
  { scenario: 'receipts-toggle', sets: ['users=4', 'conversations=13', 'opens=6'], exact: ['send', 'deliver', 'toggle', 'open'] },
  { scenario: 'mass-reconnect', sets: ['users=21', 'conversations=3', 'changes=7', 'idle=1', 'window=0.5'], exact: ['reconnect'] },
  { scenario: 'group-1000', sets: ['members=17', 'messages=5', 'rate=20', 'readEvery=2'], exact: ['send', 'read_by'] },
];

describe('simulate predict equals fresh runs exactly', () => {
  // the test folder's own model is registered in every test file, but it does not ship
  it('the shipped calibration has every shipped model and no fit errors', () => {
    expect({ missing: SHIPPED_MODELS.filter((model) => !calibration.models[model]), hint: RECALIBRATE }).toEqual({ missing: [], hint: RECALIBRATE });
    expect(calibration.errors).toEqual([]);
  });

  for (const { scenario, sets, exact } of CASES) {
    it(`${scenario} ${sets.join(' ')}`, async () => {
      const params = resolveParams(SCENARIOS[scenario]!, sets);
      // not a calibration point: the prediction is of a run the fit has not seen
      const calibrated = calibration.provenance.runs.filter((run) => run.scenario === scenario).map((run) => JSON.stringify(run.params));
      expect(calibrated).not.toContain(JSON.stringify(params));
      expect(SHAPES[scenario]!.calibration.some((point) => Object.entries(point).every(([key, value]) => params[key] === value))).toBe(false);
      const models = Object.keys(calibration.models);
      const prediction = predictScenario({ calibration, file: FILE, scenario, params, seed: 1, models });
      const { results } = await runScenario({ scenario, sets, seed: 1, models, pgUrl: inject('pgAdminUrl'), outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-predict-')), 'run'), store: false });
      for (const model of models) {
        const predicted = prediction.models[model]!;
        const calledExact = Object.entries(predicted.basis).filter(([, basis]) => basis.basis === 'exact').map(([kind]) => kind);
        expect({ model, calledExact: [...calledExact].sort() }).toEqual({ model, calledExact: expect.arrayContaining([...exact].sort()) });
        for (const kind of calledExact) {
          expect({ model, kind, figures: predicted.actions[kind] }, RECALIBRATE).toEqual({ model, kind, figures: results.models[model]!.actions[kind as 'send'] });
        }
        expect(results.models[model]!.check.ticks_consistent).toBe(true);
      }
    });
  }
});
