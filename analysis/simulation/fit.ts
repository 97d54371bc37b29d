// From measured runs to a calibration, purely: the same runs always give the same fits.
import type { RunResults } from '../results-schema.ts';
import { CALIBRATION_KIND, CALIBRATION_VERSION, type Calibration, type Provenance } from './calibration.ts';
import { fitActions, shapeRuns } from './fit-actions.ts';
import { fitCapacity, fitService, fitTables, fitWal } from './fit-run.ts';

export function fitCalibration(runs: readonly RunResults[], provenance: Omit<Provenance, 'runs'>): Calibration {
  if (runs.length === 0) throw new RangeError('a calibration needs at least one measured run');
  const shaped = shapeRuns(runs);
  const models = [...new Set(runs.flatMap((run) => Object.keys(run.models)))].sort();
  const errors: string[] = [];
  const fitted: Calibration['models'] = {};
  for (const model of models) {
    const withModel = shaped.filter((run) => run.results.models[model]);
    const { actions, derived, errors: actionErrors } = fitActions(model, withModel);
    errors.push(...actionErrors);
    fitted[model] = {
      actions,
      derived,
      wal: fitWal(model, withModel),
      tables: fitTables(model, withModel),
      service: fitService(model, withModel),
      capacity: fitCapacity(model, withModel),
    };
  }
  return {
    kind: CALIBRATION_KIND,
    version: CALIBRATION_VERSION,
    provenance: { ...provenance, runs: runs.map((run) => ({ runId: run.runId, scenario: run.scenario, params: run.params, seed: run.seed })) },
    models: fitted,
    errors,
  };
}
