// The one quantile definition chatbench uses everywhere (results, CLI, gates, store, report):
// nearest rank over the raw samples, the value at rank ceil(q/100 * n), q = 0 being the minimum.
// No bucketing, so a p99 printed by `run` is a sample that was measured, to the microsecond.
import type { LatencySummary } from './results-schema.ts';

/**
 * The epsilon keeps float noise (0.999 * 1000 = 999.0000000000001) from bumping p99.9 to the
 * maximum; the store's SQL uses the same formula so on-disk and stored runs agree to the sample.
 */
export const RANK_EPSILON = 1e-9;

/** 1-based rank of the q-th percentile among n sorted values. */
export function nearestRankIndex(n: number, q: number): number {
  return Math.min(n, Math.max(1, Math.ceil((q / 100) * n - RANK_EPSILON)));
}

export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile level ${q} is outside 0..100`);
  return sorted[nearestRankIndex(sorted.length, q) - 1]!;
}

/** Sample values as the store keeps them: milliseconds to the microsecond. */
export function roundSampleMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** count, min, mean, p50, p95, p99, max of one metric's raw samples (values as stored). */
export function summariseSamples(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) throw new RangeError('no samples');
  let sum = 0;
  for (const value of sorted) sum += value;
  const at = (q: number) => sorted[nearestRankIndex(n, q) - 1]!;
  return { count: n, min: sorted[0]!, mean: roundSampleMs(sum / n), p50: at(50), p95: at(95), p99: at(99), max: sorted[n - 1]! };
}

/** Every metric's summary from raw samples, grouped by metric name. */
export function summariseByMetric(samples: Iterable<{ metric: string; value_ms: number }>): Record<string, LatencySummary> {
  const byMetric = new Map<string, number[]>();
  for (const sample of samples) {
    let values = byMetric.get(sample.metric);
    if (!values) byMetric.set(sample.metric, (values = []));
    values.push(sample.value_ms);
  }
  const summary: Record<string, LatencySummary> = {};
  for (const [metric, values] of [...byMetric].sort(([a], [b]) => a.localeCompare(b))) summary[metric] = summariseSamples(values);
  return summary;
}
