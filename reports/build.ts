// The report builder. `buildReport` is pure: the same input and rendered charts always give the
// same HTML. `renderReport` adds the one asynchronous step, rendering chart specs to SVG.
import { compareSection } from './compare.ts';
import { contextSection } from './context.ts';
import { html, type Html, raw } from './escape.ts';
import { ACTION_KINDS } from '../analysis/metric-names.ts';
import { formatNumber, orderModels } from './figures.ts';
import { compareValues } from './load.ts';
import { headlineSection } from './headline.ts';
import { planCharts, renderCharts, type RenderedChart } from './render-svg.ts';
import { simulationSection } from './simulation.ts';
import { REPORT_CSS } from './style.ts';
import type { ReportInput, RunReportData, SweepData } from './types.ts';

// No script, no fetch, no remote anything: the browser enforces what the tests check.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function chartFigure(chart: RenderedChart): Html {
  // the SVG carries its own title; the label is for screen readers
  return html`<figure class="chart" data-chart="${chart.chart}" role="img" aria-label="${chart.title}">${raw(chart.svg)}</figure>`;
}

function runSection(run: RunReportData, charts: RenderedChart[]): Html {
  const { results } = run;
  return html`<section class="run" id="run-${results.runId}">
<h2>${results.scenario} <span class="runid">${results.runId}</span></h2>
${headlineSection(run)}
<h3>Charts</h3>
${charts.length > 0 ? html`<div class="charts">${charts.map(chartFigure)}</div>` : html`<p class="note">No chart has data for this run.</p>`}
${contextSection(results)}
</section>`;
}

function sweepSection(sweep: SweepData, charts: RenderedChart[]): Html {
  const models = orderModels(sweep.points.map((p) => p.model));
  const actions = ACTION_KINDS.filter((a) => a !== 'send' && sweep.points.some((p) => p.action === a && p.count > 0));
  const runs = [...new Map(sweep.points.map((p) => [p.runId, p.value])).entries()].sort(([, a], [, b]) => compareValues(a, b));
  const cell = (runId: string, model: string, action: string) =>
    sweep.points.find((p) => p.runId === runId && p.model === model && p.action === action)?.perAction['db.rows_written'] ?? undefined;
  return html`<section class="sweep"><h2>Sweep of ${sweep.parameter} <span class="runid">${sweep.sweepId}</span></h2>
<p>${sweep.scenario}, ${runs.length} runs, ${sweep.parameter} = ${runs.map(([, v]) => String(v)).join(', ')}.</p>
<div class="charts">${charts.map(chartFigure)}</div>
<table class="figures"><thead><tr><th>${sweep.parameter}</th><th>run</th>${actions.flatMap((a) => models.map((m) => html`<th>${m} · ${a}<br>rows/action</th>`))}</tr></thead>
<tbody>${runs.map(([runId, value]) => html`<tr><th>${String(value)}</th><td>${runId}</td>${actions.flatMap((a) => models.map((m) => html`<td>${formatNumber(cell(runId, m, a))}</td>`))}</tr>`)}</tbody></table>
</section>`;
}

export function buildReport(input: ReportInput, charts: readonly RenderedChart[] = []): string {
  if (input.runs.length === 0 && !input.simulation) throw new RangeError('a report needs at least one run or a simulation');
  const runIds = input.runs.map((r) => r.results.runId);
  const title = `chatbench report: ${[...runIds, ...(input.simulation ? [input.simulation.simulationId] : [])].join(', ')}`;
  const simulationCharts = input.simulation ? charts.filter((c) => c.runId === input.simulation!.simulationId).map(chartFigure) : [];
  const what = input.runs.length === 0
    ? html`<p>What each read-receipt storage model costs at internet scale, simulated from costs measured per action: ${input.simulation!.workload.name} (${input.simulation!.simulationId}).${input.generatedAt ? ` Generated ${input.generatedAt}.` : ''}</p>`
    : html`<p>What each read-receipt storage model cost in ${input.runs.length === 1 ? 'this run' : `these ${input.runs.length} runs`}: ${input.runs.map((r) => `${r.results.scenario} (${r.results.runId})`).join('; ')}.${input.generatedAt ? ` Generated ${input.generatedAt}.` : ''}</p>`;
  const forRun = (runId: string) => charts.filter((c) => c.runId === runId);
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(REPORT_CSS)}</style></head>
<body>
<header><h1>chatbench report</h1>
${what}
<p class="note">Run figures are measured. Simulated figures are labelled: measured costs applied to assumed traffic.</p></header>
${compareSection(input.runs) ?? ''}
${input.sweep ? sweepSection(input.sweep, charts.filter((c) => c.runId === undefined)) : ''}
${input.runs.map((run) => runSection(run, forRun(run.results.runId)))}
${input.simulation || input.simulationMissing ? simulationSection(input.simulation, simulationCharts, input.simulationMissing) : ''}
</body></html>
`;
  return page.text;
}

/** Plans and renders every chart, then builds the page. */
export async function renderReport(input: ReportInput): Promise<string> {
  return buildReport(input, await renderCharts(planCharts(input)));
}
