// The first thing a reviewer reads per run: each model's cost per action with its ratio against
// the baseline model, p99 latencies, whether the run can be trusted (and, when a node was killed,
// what each model lost), and what it means in a sentence or two.
import { LATENCY_METRICS } from '../analysis/metric-names.ts';
import type { ModelResult, RunResults } from '../analysis/results-schema.ts';
import { html, type Html } from './escape.ts';
import { actionsPerformed, baselineOf, formatNumber, formatRatio, modelNames, perAction, ratio } from './figures.ts';
import { sentencesFor } from './sentences.ts';
import type { RunReportData } from './types.ts';

export interface Consistency {
  ok: boolean;
  problems: string[];
}

export function consistencyOf(model: ModelResult): Consistency {
  const problems: string[] = [];
  if (!model.check.ticks_consistent) {
    const detail = model.check.mismatches !== undefined ? ` (${model.check.mismatches} of ${model.check.messages_checked ?? '?'} messages)` : '';
    problems.push(`derived ticks disagree with the plan${detail}`);
  }
  if (!model.db.consistent) {
    problems.push(`app-side rows written (${model.db.app_rows_written}) disagree with the database's own count (${model.db.tuples_written})`);
  }
  return { ok: problems.length === 0, problems };
}

/** p99 from the exact curve when raw samples were loaded, else the run's own summary. */
export function p99Of(run: RunReportData, model: string, metric: string): { value?: number; source: 'samples' | 'summary' } {
  const point = run.percentiles[model]?.[metric]?.points.find((p) => p.q === 99);
  if (point) return { value: point.value_ms, source: 'samples' };
  const summary = run.results.models[model]?.latency[metric as (typeof LATENCY_METRICS)[number]];
  return { value: summary?.p99, source: 'summary' };
}

/** a killed node's cost to one model: receipts lost, and what its node still held */
function durabilityNote(model: ModelResult): Html | string {
  if (!model.recovery?.killed_node || model.check.acked_receipts_lost === undefined) return '';
  const window = model.recovery.pending_at_kill;
  return html` Node ${model.recovery.killed_node} was killed: <strong>${formatNumber(model.check.acked_receipts_lost)}</strong> acknowledged receipts lost (of ${formatNumber(model.check.acked_receipts_checked ?? 0)} messages checked)${window ? `; it held ${formatNumber(window.receipts)} receipts in ${formatNumber(window.marks)} marks not yet in Postgres` : ''}.`;
}

function consistencyBlock(results: RunResults): Html {
  return html`<ul class="checks">${modelNames(results).map((model) => {
    const result = results.models[model]!;
    const c = consistencyOf(result);
    return c.ok
      ? html`<li class="ok"><strong>${model}</strong>: consistent (ticks match the plan; app and database row counts agree).${durabilityNote(result)}</li>`
      : html`<li class="bad"><strong>${model}</strong>: INCONSISTENT: ${c.problems.join('; ')}. Treat its figures as suspect.${durabilityNote(result)}</li>`;
  })}</ul>`;
}

function actionsTable(results: RunResults): Html {
  const models = modelNames(results);
  const baseline = baselineOf(results);
  const others = models.filter((m) => m !== baseline);
  const figures = [
    ['db.rows_written', 'rows written'],
    ['ws.events_pushed', 'events pushed'],
  ] as const;
  return html`<table class="figures">
<thead><tr><th rowspan="2">action</th>${figures.map(([, label]) => html`<th colspan="${models.length + others.length}">${label} per action</th>`)}</tr>
<tr>${figures.map(() => html`${models.map((m) => html`<th>${m}${m === baseline ? ' (baseline)' : ''}</th>`)}${others.map((m) => html`<th>${baseline} / ${m}</th>`)}`)}</tr></thead>
<tbody>${actionsPerformed(results).map((action) => html`<tr><th>${action}</th>${figures.map(([figure]) => {
    const values = models.map((m) => perAction(results, m, action, figure));
    const base = perAction(results, baseline, action, figure);
    return html`${values.map((v) => html`<td>${formatNumber(v)}</td>`)}${others.map((m) => html`<td class="ratio">${formatRatio(ratio(base, perAction(results, m, action, figure)), baseline)}</td>`)}`;
  })}</tr>`)}</tbody>
<tfoot><tr><th>rows per ack</th><td colspan="${2 * (models.length + others.length)}">${models.map((m, i) => {
    const perAck = results.models[m]!.receipts?.rows_per_ack;
    return html`${i > 0 ? ', ' : ''}${m} ${perAck === undefined || perAck === null ? 'n/a' : formatNumber(perAck)}`;
  })} (receipt rows written per delivered or read ack, a buffering model's flushes included)</td></tr></tfoot></table>`;
}

function latencyTable(run: RunReportData): Html {
  const models = modelNames(run.results);
  const metrics = LATENCY_METRICS.filter((metric) => models.some((m) => p99Of(run, m, metric).value !== undefined));
  if (metrics.length === 0) return html`<p class="note">No latency was recorded in this run.</p>`;
  const fromSamples = metrics.every((metric) => models.every((m) => p99Of(run, m, metric).source === 'samples' || p99Of(run, m, metric).value === undefined));
  return html`<table class="figures"><thead><tr><th>p99 latency (ms)</th>${models.map((m) => html`<th>${m}</th>`)}</tr></thead>
<tbody>${metrics.map((metric) => html`<tr><th>${metric}</th>${models.map((m) => html`<td>${formatNumber(p99Of(run, m, metric).value)}</td>`)}</tr>`)}</tbody></table>
<p class="note">${fromSamples ? 'Exact p99 over the raw samples (nearest rank).' : 'p99 from the run summary where raw samples were not available.'}</p>`;
}

export function headlineSection(run: RunReportData): Html {
  const { results } = run;
  return html`<section class="headline">
<h3>What it means</h3>
<ul class="sentences">${sentencesFor(results).map((s) => html`<li>${s}</li>`)}</ul>
<h3>Is the run trustworthy?</h3>
${consistencyBlock(results)}
<h3>Cost per action</h3>
${actionsTable(results)}
<p class="note">Per-action figures are the run's totals divided by the action's count.</p>
<h3>Latency</h3>
${latencyTable(run)}
</section>`;
}
