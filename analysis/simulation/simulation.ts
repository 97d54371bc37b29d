// A simulation: a workload priced by a calibration, per model, with the back-of-envelope table,
// the queueing layer, the sensitivity of the answer to each assumption and the simulator's own
// validation error. Pure: the same inputs and seed give the same document, byte for byte, and
// its id is a hash of its content.
import { createHash } from 'node:crypto';
import { allModelFigures, backOfEnvelope, type AnalyticOptions, type Figure, type ModelFigures } from './analytic.ts';
import type { Calibration } from './calibration.ts';
import { workloadDynamics, type Dynamics } from './dynamics.ts';
import { modelCalibration } from './predict.ts';
import { sensitivity, type Sensitivity } from './sensitivity.ts';
import type { Validation } from './validation.ts';
import type { Workload } from './workload.ts';
import { workloadDay } from './workload-actions.ts';

export const SIMULATION_KIND = 'chatbench-simulation';
export const SIMULATION_VERSION = 1;

/** What each basis means, carried in every document so a reader of the JSON alone knows. */
export const BASIS_LEGEND = {
  assumed: 'rests only on the workload\'s assumptions (the design\'s estimate or ours); nothing was measured',
  simulated: 'costs measured per action in calibration runs on this machine, applied to the assumed workload',
  measured: 'measured on the calibration machine (timings under the load noted in the calibration)',
  exact: 'per-action cost fitted exactly (zero residual) on calibration runs',
  estimated: 'per-action cost fitted but not exact: timing-dependent shapes, extrapolation, or a shape calibration did not vary',
} as const;

export interface SimulationInput {
  workload: Workload;
  /** where the workload came from, as given */
  workloadSource: string;
  calibration: Calibration;
  calibrationFile: string;
  models: string[];
  baseline: string;
  seed: number;
  options?: AnalyticOptions;
}

export interface Simulation {
  kind: typeof SIMULATION_KIND;
  version: number;
  simulationId: string;
  seed: number;
  models: string[];
  baseline: string;
  workload: { name: string; source: string; description?: string; inputs: Workload['inputs'] };
  calibration: {
    file: string;
    gitSha: string;
    dirty: boolean;
    createdAt: string;
    runs: number;
    machine: Calibration['provenance']['machine'];
    loadAverage: Calibration['provenance']['loadAverage'];
    errors: string[];
  };
  options: AnalyticOptions;
  legend: typeof BASIS_LEGEND;
  backOfEnvelope: Record<string, Figure>;
  perModel: Record<string, ModelFigures & { dynamics: Dynamics }>;
  sensitivity: Sensitivity;
  /** the simulator against a run it was not calibrated on; null when never validated */
  validation: Validation | null;
}

export function simulateWorkload(input: SimulationInput): Simulation {
  const options = input.options ?? {};
  const figures = allModelFigures(input.calibration, input.models, input.baseline, input.workload, options);
  const day = workloadDay(input.workload);
  const perModel: Simulation['perModel'] = {};
  input.models.forEach((model, index) => {
    const dynamics = workloadDynamics(modelCalibration(input.calibration, model), figures[model]!, input.workload, day, input.seed * 1000 + index);
    perModel[model] = { ...figures[model]!, dynamics };
  });
  const { provenance } = input.calibration;
  const document: Omit<Simulation, 'simulationId'> = {
    kind: SIMULATION_KIND,
    version: SIMULATION_VERSION,
    seed: input.seed,
    models: input.models,
    baseline: input.baseline,
    workload: { name: input.workload.name, source: input.workloadSource, ...(input.workload.description ? { description: input.workload.description } : {}), inputs: input.workload.inputs },
    calibration: {
      file: input.calibrationFile,
      gitSha: provenance.gitSha,
      dirty: provenance.dirty,
      createdAt: provenance.createdAt,
      runs: provenance.runs.length,
      machine: provenance.machine,
      loadAverage: provenance.loadAverage,
      errors: input.calibration.errors,
    },
    options,
    legend: BASIS_LEGEND,
    backOfEnvelope: backOfEnvelope(input.workload),
    perModel,
    sensitivity: sensitivity(input.calibration, input.models, input.workload, options),
    validation: input.calibration.validation ?? null,
  };
  const simulationId = `sim-${createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 16)}`;
  return { simulationId, ...document };
}

export function isSimulation(data: unknown): data is Simulation {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === SIMULATION_KIND;
}
