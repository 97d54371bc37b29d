// Latency quantiles per model and metric for one run, exact, from the raw samples in the store.
// Nearest rank, the definition HDR histograms and the reports use: the value at rank ceil(q·n).
// ClickHouse's quantileExact picks index floor(q·n) instead, which differs on small runs, so the
// rank is spelled out over a sorted array (arraySort/groupArray exist in every version we support).
import type { QuantileName } from '../metric-names.ts';
import { RANK_EPSILON } from '../quantiles.ts';
import { assertRunId, sqlString, toNumber } from '../store/sql.ts';
import type { MetricsStore } from '../store/types.ts';

export interface LatencyQuantileRow {
  model: string;
  metric: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export const QUANTILE_LEVELS: Record<Exclude<QuantileName, 'max'>, number> = { p50: 50, p95: 95, p99: 99 };


export function latencyQuantilesSql(runIds: readonly string[]): string {
  const ids = runIds.map((id) => sqlString(assertRunId(id))).join(', ');
  const quantiles = Object.entries(QUANTILE_LEVELS).map(
    ([name, level]) => `sorted[toUInt64(least(toFloat64(n), greatest(1.0, ceil(${level / 100} * n - ${RANK_EPSILON}))))] AS ${name}`,
  );
  return `
    SELECT run_id, model, metric, toFloat64(n) AS count, ${quantiles.join(', ')}, sorted[n] AS max
    FROM (
      SELECT run_id, model, metric, arraySort(groupArray(value_ms)) AS sorted, length(sorted) AS n
      FROM samples
      WHERE run_id IN (${ids})
      GROUP BY run_id, model, metric
    )
    ORDER BY run_id, model, metric`;
}

export async function latencyQuantiles(store: MetricsStore, runId: string): Promise<LatencyQuantileRow[]> {
  return (await latencyQuantilesForRuns(store, [runId])).map(({ runId: _ignored, ...row }) => row);
}

export async function latencyQuantilesForRuns(store: MetricsStore, runIds: readonly string[]): Promise<(LatencyQuantileRow & { runId: string })[]> {
  if (runIds.length === 0) return [];
  const rows = await store.query<Record<string, unknown>>(latencyQuantilesSql(runIds));
  return rows.map((row) => ({
    runId: String(row.run_id),
    model: String(row.model),
    metric: String(row.metric),
    count: toNumber(row.count, 'count'),
    p50: toNumber(row.p50, 'p50'),
    p95: toNumber(row.p95, 'p95'),
    p99: toNumber(row.p99, 'p99'),
    max: toNumber(row.max, 'max'),
  }));
}
