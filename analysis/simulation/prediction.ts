// `simulate predict`: a scenario run's per-action block, priced from a calibration alone.
import type { ActionFigures } from '../results-schema.ts';
import type { Calibration } from './calibration.ts';
import { priceGroups, type Basis } from './predict.ts';
import { SHAPES } from './shapes/index.ts';

export interface PredictedModel {
  /** the results contract's `models.<id>.actions` block */
  actions: Record<string, ActionFigures>;
  /** per action kind: exact (equals a real run) or estimated, and why */
  basis: Record<string, { basis: Basis; notes: string[] }>;
  /** WAL of the actions: fitted bytes per action and per row written, an estimate */
  wal_bytes: { value: number; basis: 'estimated' };
}

export interface Prediction {
  scenario: string;
  params: Record<string, number>;
  seed: number;
  calibration: { file: string; gitSha: string; createdAt: string; errors: number };
  models: Record<string, PredictedModel>;
}

export function predictScenario(input: { calibration: Calibration; file: string; scenario: string; params: Record<string, number>; seed: number; models: string[] }): Prediction {
  const shapes = SHAPES[input.scenario];
  if (!shapes) throw new RangeError(`the simulator has no shapes for scenario ${input.scenario}`);
  const groups = shapes.actions(input.params, input.seed);
  const models: Record<string, PredictedModel> = {};
  for (const model of input.models) {
    const priced = priceGroups(input.calibration, model, groups);
    models[model] = {
      actions: Object.fromEntries(Object.entries(priced.actions).map(([kind, p]) => [kind, p.figures])),
      basis: Object.fromEntries(Object.entries(priced.actions).map(([kind, p]) => [kind, { basis: p.basis, notes: p.notes }])),
      wal_bytes: { value: priced.walBytes, basis: 'estimated' },
    };
  }
  const { provenance } = input.calibration;
  return {
    scenario: input.scenario,
    params: input.params,
    seed: input.seed,
    calibration: { file: input.file, gitSha: provenance.gitSha, createdAt: provenance.createdAt, errors: input.calibration.errors.length },
    models,
  };
}
