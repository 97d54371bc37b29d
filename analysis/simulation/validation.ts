// Predicted against measured for a run the fit had not seen: the simulator's own error.
import type { RunResults } from '../results-schema.ts';
import { FITTED_FIGURES } from './features.ts';
import type { PricedModel } from './predict.ts';
export const VALIDATION_TOLERANCE = {
  /** per-action counts of exact actions must match exactly */
  walRelative: 0.1,
  ackP50Relative: 0.25,
};

export interface FigureCheck {
  model: string;
  kind: string;
  figure: string;
  predicted: number;
  measured: number;
  basis: 'exact' | 'estimated';
}

export interface ErrorCheck {
  predicted: number;
  measured: number;
  /** (predicted - measured) / measured */
  error: number;
  tolerance: number;
  ok: boolean;
}

export interface Validation {
  scenario: string;
  calibratedOn: [Record<string, number>, Record<string, number>];
  predictedAt: Record<string, number>;
  params: Record<string, number>;
  seed: number;
  runIds: { calibration: string[]; measured: string };
  /** every figure of every action kind, per model */
  figures: FigureCheck[];
  /** exact figures that differ: must be none */
  exactMismatches: number;
  wal: Record<string, ErrorCheck>;
  ackP50: Record<string, ErrorCheck>;
  ok: boolean;
  measuredAt: { gitSha: string; dirty: boolean; createdAt: string; machine: { cores: number; cpuModel?: string }; loadAverage: { before: number; after: number } };
}


export function errorCheck(predicted: number, measured: number, tolerance: number): ErrorCheck {
  const error = measured === 0 ? (predicted === 0 ? 0 : Number.POSITIVE_INFINITY) : (predicted - measured) / measured;
  return { predicted, measured, error, tolerance, ok: Math.abs(error) <= tolerance };
}

/** Every figure of every action kind either side has, predicted against measured. */
export function compareActions(model: string, priced: PricedModel, measured: RunResults['models'][string]): FigureCheck[] {
  const kinds = [...new Set([...Object.keys(priced.actions), ...Object.keys(measured.actions)])];
  const checks: FigureCheck[] = [];
  for (const kind of kinds) {
    const p = priced.actions[kind];
    const m = measured.actions[kind as keyof typeof measured.actions];
    for (const figure of ['count', ...FITTED_FIGURES]) {
      const value = (figures: object | undefined) => (figures as Record<string, number> | undefined)?.[figure] ?? 0;
      checks.push({ model, kind, figure, predicted: value(p?.figures), measured: value(m), basis: p?.basis ?? 'estimated' });
    }
  }
  return checks;
}

export function exactMismatches(figures: readonly FigureCheck[]): FigureCheck[] {
  return figures.filter((check) => check.basis === 'exact' && check.predicted !== check.measured);
}
