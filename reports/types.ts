// What a report is built from. The builder never touches a store or a file: everything it shows
// is in a ReportInput, so the same input always yields the same HTML (and golden tests hold).
import type { RunResults } from '../analysis/results-schema.ts';

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

/** One run of a sweep, reduced to its per-action figures. */
export interface SweepPoint {
  runId: string;
  value: number | string;
  results: RunResults;
}

export interface SweepData {
  sweepId: string;
  scenario: string;
  /** the parameter the sweep varied */
  parameter: string;
  points: SweepPoint[];
}

export interface ReportInput {
  /** one or more runs; with several, the report compares them against the first */
  runs: RunReportData[];
  sweep?: SweepData;
  /** when the report was made (ISO); passed in so the builder stays deterministic */
  generatedAt?: string;
}
