// What a report is built from. The builder never touches a store or a file: everything it shows
// is in a ReportInput, so the same input always yields the same HTML (and golden tests hold).
import type { SweepCurve } from '../analysis/queries/index.ts';
import type { RunResults } from '../analysis/results-schema.ts';
import type { Simulation } from '../analysis/simulation/simulation.ts';

/** One point of an exact percentile curve computed from raw samples. */
export interface PercentilePoint {
  /** percentile level, 0..100 (0 = min, 100 = max) */
  q: number;
  value_ms: number;
}

export interface LatencyCurve {
  /** raw samples the curve was computed from */
  count: number;
  points: PercentilePoint[];
}

/** model -> latency metric -> curve */
export type PercentileCurves = Record<string, Record<string, LatencyCurve>>;

export interface RunReportData {
  results: RunResults;
  percentiles: PercentileCurves;
}

/**
 * A sweep is the comparison query's cost curve (one point per run, model and action), so a sweep
 * read from the store and one assembled from run directories draw the same chart.
 */
export type SweepData = SweepCurve;

export interface ReportInput {
  /** runs; with several, the report compares them against the first (none: a simulation on its own) */
  runs: RunReportData[];
  sweep?: SweepData;
  /** "At 500M daily users (simulated)"; `simulationMissing` says why there is none */
  simulation?: Simulation;
  simulationMissing?: string;
  /** when the report was made (ISO); passed in so the builder stays deterministic */
  generatedAt?: string;
}
