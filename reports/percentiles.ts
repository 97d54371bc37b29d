// Exact percentiles from raw samples (never from pre-aggregated summaries), so curves stay right
// when several load generators feed one run. Nearest-rank definition: the value at rank
// ceil(q/100 * n), q = 0 being the minimum.
import { nearestRank } from '../analysis/quantiles.ts';
import type { LatencyCurve, PercentileCurves, PercentilePoint } from './types.ts';

export { nearestRank, nearestRankIndex, RANK_EPSILON } from '../analysis/quantiles.ts';

/** The levels every curve is drawn at: dense where tail latency lives. */
export const CURVE_LEVELS = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100] as const;

export function curveFromSamples(values: readonly number[], levels: readonly number[] = CURVE_LEVELS): LatencyCurve {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0, points: [] };
  const points: PercentilePoint[] = levels.map((q) => ({ q, value_ms: nearestRank(sorted, q) }));
  return { count: sorted.length, points };
}

/** Groups raw samples by model and metric and computes each curve. */
export function curvesFromSamples(
  samples: Iterable<{ model: string; metric: string; value_ms: number }>,
  levels: readonly number[] = CURVE_LEVELS,
): PercentileCurves {
  const grouped = new Map<string, Map<string, number[]>>();
  for (const sample of samples) {
    let byMetric = grouped.get(sample.model);
    if (!byMetric) grouped.set(sample.model, (byMetric = new Map()));
    let values = byMetric.get(sample.metric);
    if (!values) byMetric.set(sample.metric, (values = []));
    values.push(sample.value_ms);
  }
  const curves: PercentileCurves = {};
  for (const [model, byMetric] of [...grouped].sort(([a], [b]) => a.localeCompare(b))) {
    curves[model] = {};
    for (const [metric, values] of [...byMetric].sort(([a], [b]) => a.localeCompare(b))) {
      const curve = curveFromSamples(values, levels);
      if (curve.count > 0) curves[model][metric] = curve;
    }
  }
  return curves;
}
