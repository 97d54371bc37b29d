// Fills a ReportInput from a metrics store or from run directories kept on disk. Percentile
// curves are always computed from raw samples, so they stay exact when several load
// generators fed one run.
import { ACTION_FIGURES, type ActionFigure } from '../analysis/metric-names.ts';
import type { RunResults, Sample } from '../analysis/results-schema.ts';
import { readRunDir } from '../analysis/store/run-dir.ts';
import { sqlString } from '../analysis/store/sql.ts';
import type { MetricsStore } from '../analysis/store/types.ts';
import { CURVE_LEVELS, curvesFromSamples, RANK_EPSILON } from './percentiles.ts';
import type { PercentileCurves, RunReportData, SweepData } from './types.ts';

export class UnknownRunError extends Error {
  constructor(
    readonly runIds: string[],
    readonly known: string[],
  ) {
    super(
      known.length === 0
        ? 'the metrics store holds no runs yet: run a scenario first (chatbench run <scenario>) or load one (chatbench load <dir>)'
        : `unknown run id${runIds.length > 1 ? 's' : ''} ${runIds.join(', ')}; recent runs: ${known.slice(0, 5).join(', ')} (chatbench runs lists them all)`,
    );
  }
}

/**
 * Exact nearest-rank percentiles computed in the store, so a run's raw samples never cross the
 * wire. ClickHouse's quantileExact* pick index floor(q·n), not rank ceil(q·n), so the rank is
 * spelled out to match `nearestRankIndex` for on-disk runs.
 */
export function percentileSql(runId: string, levels: readonly number[] = CURVE_LEVELS): string {
  const columns = levels.map(
    (q, i) => `s[toUInt64(least(toFloat64(n), greatest(1.0, ceil(${q / 100} * n - ${RANK_EPSILON}))))] AS q${i}`,
  );
  return (
    `SELECT model, metric, n, ${columns.join(', ')} FROM (` +
    `SELECT model, metric, arraySort(groupArray(value_ms)) AS s, length(s) AS n FROM samples ` +
    `WHERE run_id = ${sqlString(runId)} GROUP BY model, metric) ORDER BY model, metric`
  );
}

export async function curvesFromStore(store: MetricsStore, runId: string, levels: readonly number[] = CURVE_LEVELS): Promise<PercentileCurves> {
  const rows = await store.query<Record<string, unknown>>(percentileSql(runId, levels));
  const curves: PercentileCurves = {};
  for (const row of rows) {
    const model = String(row.model);
    const metric = String(row.metric);
    const count = Number(row.n);
    if (!(count > 0)) continue;
    (curves[model] ??= {})[metric] = { count, points: levels.map((q, i) => ({ q, value_ms: Number(row[`q${i}`]) })) };
  }
  return curves;
}

export async function loadRunFromStore(store: MetricsStore, runId: string): Promise<RunReportData | undefined> {
  const results = await store.getRun(runId);
  if (!results) return undefined;
  return { results, percentiles: await curvesFromStore(store, runId) };
}

/** The sweep the given runs form, in the comparison query's shape: one parameter must differ. */
export function sweepFromRuns(sweepId: string, runs: readonly RunResults[]): SweepData | undefined {
  if (runs.length < 2) return undefined;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const varied = keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k]))).size > 1);
  if (varied.length !== 1) return undefined;
  const parameter = varied[0]!;
  const points: SweepData['points'] = [];
  for (const r of runs) {
    const value = r.params[parameter];
    if (value === undefined) continue;
    for (const [model, result] of Object.entries(r.models)) {
      for (const [action, figures] of Object.entries(result.actions)) {
        if (!figures) continue;
        const perAction = Object.fromEntries(
          ACTION_FIGURES.map((f) => [f, figures.count > 0 ? figures[f] / figures.count : null]),
        ) as Record<ActionFigure, number | null>;
        points.push({ runId: r.runId, value, model, action, count: figures.count, perAction });
      }
    }
  }
  points.sort((a, b) => a.model.localeCompare(b.model) || a.action.localeCompare(b.action) || compareValues(a.value, b.value));
  return { sweepId, scenario: runs[0]!.scenario, parameter, points };
}

export function compareValues(a: number | string | boolean, b: number | string | boolean): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** A run directory as `chatbench run --out DIR` writes it (results.json + samples.tsv). */
export async function loadRunDir(dir: string): Promise<RunReportData> {
  const run = await readRunDir(dir);
  const samples: Sample[] = [];
  for await (const sample of run.samples) samples.push(sample);
  return { results: run.results, percentiles: curvesFromSamples(samples) };
}
