// "At 500M daily users": the run's MEASURED per-message and per-reconnect figures multiplied by
// stated assumptions. Always labelled a projection: it is arithmetic on a small run, not a
// measurement at scale, and it is only as good as the assumption that the run's traffic shape
// (backlog size, group size, read pattern) stands for all traffic.
import type { ActionFigure, ActionKind } from '../analysis/metric-names.ts';
import type { RunResults } from '../analysis/results-schema.ts';
import { html, type Html } from './escape.ts';
import { formatNumber, modelNames } from './figures.ts';

export interface ProjectionAssumptions {
  dailyActiveUsers: number;
  messagesPerDay: number;
  peakToAverage: number;
  reconnectsPerUserPerDay: number;
}

export const PROJECTION_ASSUMPTIONS: Readonly<ProjectionAssumptions> = {
  /** seeds: back-of-envelope estimate */
  dailyActiveUsers: 500e6,
  /** seeds: back-of-envelope estimate (their "~40 sent per user" does not multiply to this; we use the total) */
  messagesPerDay: 100e9,
  /** seeds: peak traffic is about three times the daily average */
  peakToAverage: 3,
  /** ours, not the seeds': how often a daily user's client reconnects and catches up */
  reconnectsPerUserPerDay: 5,
};

/** The actions whose cost follows each message: its delivery and its read. */
const PER_MESSAGE_ACTIONS: readonly ActionKind[] = ['deliver', 'read'];

export interface ProjectedFigure {
  label: string;
  basis: string;
  model: string;
  measured: number;
  perDay: number;
  perSecondAverage: number;
  perSecondPeak: number;
}

function sum(results: RunResults, model: string, actions: readonly ActionKind[], figure: ActionFigure): number {
  return actions.reduce((total, action) => total + (results.models[model]?.actions[action]?.[figure] ?? 0), 0);
}

export function project(results: RunResults, assumptions: ProjectionAssumptions = PROJECTION_ASSUMPTIONS): ProjectedFigure[] {
  const out: ProjectedFigure[] = [];
  const add = (label: string, basis: string, model: string, measured: number, perDayUnits: number) => {
    const perDay = measured * perDayUnits;
    const average = perDay / 86_400;
    out.push({ label, basis, model, measured, perDay, perSecondAverage: average, perSecondPeak: average * assumptions.peakToAverage });
  };
  const reconnectsPerDay = assumptions.dailyActiveUsers * assumptions.reconnectsPerUserPerDay;
  for (const model of modelNames(results)) {
    const actions = results.models[model]!.actions;
    const sent = actions.send?.count ?? 0;
    if (sent > 0) {
      add('receipt row writes', 'per message sent', model, sum(results, model, PER_MESSAGE_ACTIONS, 'db.rows_written') / sent, assumptions.messagesPerDay);
      add('status events pushed', 'per message sent', model, sum(results, model, PER_MESSAGE_ACTIONS, 'ws.events_pushed') / sent, assumptions.messagesPerDay);
    }
    const reconnects = actions.reconnect?.count ?? 0;
    if (reconnects > 0) {
      add('catch-up events pushed', 'per reconnect', model, sum(results, model, ['reconnect'], 'ws.events_pushed') / reconnects, reconnectsPerDay);
      add('catch-up rows read', 'per reconnect', model, sum(results, model, ['reconnect'], 'db.rows_read') / reconnects, reconnectsPerDay);
    }
  }
  return out;
}

/** 1.2 billion, 35 million, 4,200: magnitudes a reader can say out loud. */
export function formatLarge(value: number): string {
  const scales: Array<[number, string]> = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million']];
  for (const [scale, word] of scales) {
    if (Math.abs(value) >= scale) return `${formatNumber(Math.round((value / scale) * 10) / 10)} ${word}`;
  }
  return formatNumber(Math.round(value));
}

export function projectionSection(results: RunResults, assumptions: ProjectionAssumptions = PROJECTION_ASSUMPTIONS): Html {
  const figures = project(results, assumptions);
  const a = assumptions;
  return html`<section class="projection"><h3>At 500M daily users <span class="tag">projection, not a measurement</span></h3>
<p>These figures multiply this run's <em>measured</em> per-message and per-reconnect costs by the assumptions below. Nothing here was measured at that scale.</p>
<ol class="assumptions">
<li>${formatLarge(a.dailyActiveUsers)} daily active users and ${formatLarge(a.messagesPerDay)} messages a day (the design's back-of-envelope estimate).</li>
<li>Every message is delivered and read the way messages were in this run (${results.scenario}, ${Object.entries(results.params).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults'}): receipt cost per message = rows written by deliver and read actions ÷ messages sent.</li>
<li>Peak traffic is ${a.peakToAverage}× the daily average.</li>
<li>Each daily user reconnects ${a.reconnectsPerUserPerDay} times a day (our assumption, not from the estimate), and each catch-up costs what one reconnect cost here.</li>
<li>Costs scale linearly: no batching, caching or contention effects beyond what this run saw.</li>
</ol>
${figures.length === 0
  ? html`<p class="note">This run sent no messages and made no reconnects, so there is nothing per message or per reconnect to project.</p>`
  : html`<table class="figures"><thead><tr><th>figure</th><th>model</th><th>measured</th><th>projected per day</th><th>average per second</th><th>peak per second</th></tr></thead>
<tbody>${figures.map((f) => html`<tr><th>${f.label} ${f.basis}</th><td>${f.model}</td><td>${formatNumber(f.measured)}</td><td>${formatLarge(f.perDay)}</td><td>${formatLarge(f.perSecondAverage)}</td><td>${formatLarge(f.perSecondPeak)}</td></tr>`)}</tbody></table>`}
</section>`;
}
