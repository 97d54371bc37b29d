// Which assumption moves the answer most: each scalar input of the workload at half and one and
// a half times its value (shares capped at 1), the others held, one figure recomputed. Sorted by
// swing, it is the tornado chart of the report.
import { modelFigures, type AnalyticOptions, type ModelFigures } from './analytic.ts';
import type { Calibration } from './calibration.ts';
import type { Workload, WorkloadKey } from './workload.ts';

export const SENSITIVITY_DEFAULTS = {
  /** each input is moved down and up by this share of its value */
  swing: 0.5,
  output: 'peak statements per second' as const,
};

export interface SensitivityBar {
  input: WorkloadKey;
  low: number;
  high: number;
}

export interface Sensitivity {
  output: string;
  swing: number;
  /** per model: the figure at the workload's own values and each input's bar, widest first */
  models: Record<string, { base: number; bars: SensitivityBar[] }>;
}

const SHARE_KEYS = new Set(['directShare', 'offlineShare', 'receiptsOffShare', 'concurrentShare', 'mediaShare', 'targetUtilisation']);

function figure(figures: ModelFigures): number {
  return figures.rates.statements.peakPerSecond;
}

function withInput(workload: Workload, key: WorkloadKey, factor: number): Workload {
  const input = workload.inputs[key];
  const value = input.value as number;
  const moved = SHARE_KEYS.has(key) ? Math.min(1, value * factor) : value * factor;
  return { ...workload, inputs: { ...workload.inputs, [key]: { ...input, value: moved } } };
}

export function sensitivity(calibration: Calibration, models: string[], workload: Workload, options: AnalyticOptions = {}): Sensitivity {
  const swing = SENSITIVITY_DEFAULTS.swing;
  const scalars = (Object.keys(workload.inputs) as WorkloadKey[]).filter((key) => typeof workload.inputs[key].value === 'number');
  const result: Sensitivity = { output: SENSITIVITY_DEFAULTS.output, swing, models: {} };
  for (const model of models) {
    const base = figure(modelFigures(calibration, model, workload, options));
    const bars: SensitivityBar[] = [];
    for (const key of scalars) {
      const low = figure(modelFigures(calibration, model, withInput(workload, key, 1 - swing), options));
      const high = figure(modelFigures(calibration, model, withInput(workload, key, 1 + swing), options));
      if (Math.abs(high - low) > 1e-9 * Math.max(1, base)) bars.push({ input: key, low, high });
    }
    bars.sort((a, b) => Math.abs(b.high - b.low) - Math.abs(a.high - a.low) || a.input.localeCompare(b.input));
    result.models[model] = { base, bars };
  }
  return result;
}
