// Several runs side by side (two git shas, two parameter sets): every per-action figure and p99
// of each later run as a delta against the first.
import { LATENCY_METRICS } from '../analysis/metric-names.ts';
import type { RunResults } from '../analysis/results-schema.ts';
import { html, type Html } from './escape.ts';
import { actionsPerformed, formatDelta, formatNumber, modelNames, perAction } from './figures.ts';
import { p99Of } from './headline.ts';
import type { RunReportData } from './types.ts';

/** What tells the runs apart: differing params, then sha, then seed/driver, else the run id. */
export function runLabels(runs: readonly RunResults[]): string[] {
  const differs = (pick: (r: RunResults) => unknown) => new Set(runs.map((r) => JSON.stringify(pick(r)))).size > 1;
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const varied = paramKeys.filter((k) => differs((r) => r.params[k]));
  return runs.map((r) => {
    const parts: string[] = [];
    if (differs((x) => x.scenario)) parts.push(r.scenario);
    parts.push(...varied.map((k) => `${k}=${r.params[k] ?? '—'}`));
    if (differs((x) => x.gitSha)) parts.push(`@${r.gitSha.slice(0, 8)}`);
    if (differs((x) => x.seed)) parts.push(`seed ${r.seed}`);
    if (differs((x) => x.driver)) parts.push(r.driver);
    return parts.length > 0 ? parts.join(' ') : r.runId;
  });
}

interface Row {
  label: string;
  values: Array<number | undefined>;
}

function rowsFor(runs: readonly RunReportData[]): Row[] {
  const results = runs.map((r) => r.results);
  const models = [...new Set(results.flatMap(modelNames))];
  const actions = [...new Set(results.flatMap(actionsPerformed))];
  const rows: Row[] = [];
  for (const model of models) {
    for (const action of actions) {
      for (const [figure, label] of [['db.rows_written', 'rows written'], ['ws.events_pushed', 'events pushed']] as const) {
        rows.push({ label: `${model} · ${action} · ${label} per action`, values: results.map((r) => perAction(r, model, action, figure)) });
      }
    }
    for (const metric of LATENCY_METRICS) {
      const values = runs.map((run) => p99Of(run, model, metric).value);
      if (values.some((v) => v !== undefined)) rows.push({ label: `${model} · ${metric} p99 (ms)`, values });
    }
  }
  return rows.filter((row) => row.values.some((v) => v !== undefined));
}

export function compareSection(runs: readonly RunReportData[]): Html | undefined {
  if (runs.length < 2) return undefined;
  const labels = runLabels(runs.map((r) => r.results));
  const rows = rowsFor(runs);
  return html`<section class="compare"><h2>Runs compared</h2>
<p>Deltas are against the first run, <strong>${labels[0]}</strong> (${runs[0]!.results.runId}).</p>
<table class="figures compare"><thead><tr><th>figure</th>${runs.map((run, i) => html`<th>${labels[i]}<br><span class="runid">${run.results.runId}</span></th>${i > 0 ? html`<th>Δ</th>` : ''}`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr><th>${row.label}</th>${row.values.map((v, i) => html`<td>${formatNumber(v)}</td>${i > 0 ? html`<td class="delta">${formatDelta(row.values[0], v)}</td>` : ''}`)}</tr>`)}</tbody></table></section>`;
}
