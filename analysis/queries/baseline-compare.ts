// A run against a baseline run: for every model, each per-action figure and each latency quantile
// side by side with its delta. Joined here rather than in SQL because ClickHouse 18.16 fills a
// missing side of an outer join with zeros, which would read as "cost dropped to 0".
import { QUANTILES } from '../metric-names.ts';
import { assertRunId } from '../store/sql.ts';
import type { MetricsStore } from '../store/types.ts';
import { actionCostsForRuns } from './action-costs.ts';
import { latencyQuantilesForRuns } from './latency-quantiles.ts';

export interface BaselineDeltaRow {
  model: string;
  kind: 'action' | 'latency';
  /** e.g. `read.db.rows_written_per_action` or `latency.receipt.p95` (the gate's metric names) */
  name: string;
  run: number | null;
  baseline: number | null;
  /** run - baseline; null when either side is missing */
  delta: number | null;
  /** delta / baseline; null when either side is missing or the baseline is 0 */
  relative: number | null;
}

export async function compareWithBaseline(store: MetricsStore, runId: string, baselineId: string): Promise<BaselineDeltaRow[]> {
  assertRunId(runId);
  assertRunId(baselineId, 'baseline run id');
  const values = new Map<string, { model: string; kind: BaselineDeltaRow['kind']; name: string; run: number | null; baseline: number | null }>();
  const put = (side: 'run' | 'baseline', model: string, kind: BaselineDeltaRow['kind'], name: string, value: number | null) => {
    const key = `${model}\t${kind}\t${name}`;
    const entry = values.get(key) ?? { model, kind, name, run: null, baseline: null };
    entry[side] = value;
    values.set(key, entry);
  };
  const sideOf = (id: string): 'run' | 'baseline' => (id === runId ? 'run' : 'baseline');

  for (const row of await actionCostsForRuns(store, [runId, baselineId])) {
    for (const [figure, value] of Object.entries(row.perAction)) {
      put(sideOf(row.runId), row.model, 'action', `${row.action}.${figure}_per_action`, value);
    }
  }
  for (const row of await latencyQuantilesForRuns(store, [runId, baselineId])) {
    for (const quantile of QUANTILES) put(sideOf(row.runId), row.model, 'latency', `${row.metric}.${quantile}`, row[quantile]);
  }
  if (runId === baselineId) for (const entry of values.values()) entry.baseline = entry.run;

  return [...values.values()]
    .sort((a, b) => a.model.localeCompare(b.model) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
    .map((entry) => {
      const delta = entry.run !== null && entry.baseline !== null ? entry.run - entry.baseline : null;
      return { ...entry, delta, relative: delta !== null && entry.baseline ? delta / entry.baseline : null };
    });
}
