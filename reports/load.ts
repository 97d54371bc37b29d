// Fills a ReportInput from a metrics store or from run directories kept on disk. Percentile
// curves are always computed from raw samples, so they stay exact when several load
// generators fed one run.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseResults, RESULTS_FILE, type RunResults, SAMPLES_FILE } from '../analysis/results-schema.ts';
import type { MetricsStore } from '../analysis/store/types.ts';
import { CURVE_LEVELS, curvesFromSamples, RANK_EPSILON } from './percentiles.ts';
import type { PercentileCurves, ReportInput, RunReportData, SweepData } from './types.ts';

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

/** SQL string literal for ClickHouse: run ids come from the command line. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
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

/** The sweep a run belongs to, with the one parameter that differs across its runs. */
export function sweepFromRuns(sweepId: string, runs: readonly RunResults[]): SweepData | undefined {
  if (runs.length < 2) return undefined;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const varied = keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k]))).size > 1);
  if (varied.length !== 1) return undefined;
  const parameter = varied[0]!;
  const points = runs
    .filter((r) => r.params[parameter] !== undefined)
    .map((r) => ({ runId: r.runId, value: r.params[parameter] as number | string, results: r }))
    .sort((a, b) => (typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value))));
  return { sweepId, scenario: runs[0]!.scenario, parameter, points };
}

export async function loadFromStore(store: MetricsStore, runIds: readonly string[]): Promise<ReportInput> {
  if (runIds.length === 0) throw new RangeError('name at least one run id');
  const runs: RunReportData[] = [];
  const missing: string[] = [];
  for (const runId of runIds) {
    const run = await loadRunFromStore(store, runId);
    if (run) runs.push(run);
    else missing.push(runId);
  }
  if (missing.length > 0) {
    const known = (await store.listRuns({ limit: 20 })).map((r) => r.runId);
    throw new UnknownRunError(missing, known);
  }
  let sweep: SweepData | undefined;
  const sweepId = runs[0]!.results.sweepId;
  if (sweepId) {
    const members = (await store.listRuns()).filter((r) => r.sweepId === sweepId);
    const results = await Promise.all(members.map((m) => store.getRun(m.runId)));
    sweep = sweepFromRuns(sweepId, results.filter((r): r is RunResults => r !== undefined));
  }
  return { runs, sweep };
}

/** Reads samples.tsv (TSVWithNames: model, metric, t_ms, value_ms, tags). */
export function parseSamplesTsv(text: string, source = SAMPLES_FILE): Array<{ model: string; metric: string; value_ms: number }> {
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length === 0) return [];
  const header = lines[0]!.split('\t');
  const col = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${source}: missing column ${name}`);
    return index;
  };
  const [model, metric, value] = [col('model'), col('metric'), col('value_ms')];
  return lines.slice(1).map((line, i) => {
    const cells = line.split('\t');
    const value_ms = Number(cells[value]);
    if (!Number.isFinite(value_ms)) throw new Error(`${source}:${i + 2}: value_ms is not a number`);
    return { model: cells[model]!, metric: cells[metric]!, value_ms };
  });
}

/** A run directory as `chatbench run --out DIR` writes it; samples.tsv is optional. */
export async function loadRunDir(dir: string): Promise<RunReportData> {
  const resultsPath = join(dir, RESULTS_FILE);
  const results = parseResults(JSON.parse(await readFile(resultsPath, 'utf8')), resultsPath);
  let samplesText = '';
  try {
    samplesText = await readFile(join(dir, SAMPLES_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { results, percentiles: curvesFromSamples(parseSamplesTsv(samplesText, join(dir, SAMPLES_FILE))) };
}
