// "At 500M daily users (simulated)": a simulation in the report. Each model's costs were
// measured per action in calibration runs and fitted; the traffic they are applied to is
// assumed. Every table says which of the two a figure rests on, and the simulator's own error
// against a run it had not seen is shown beside its answer.
import { RATE_FIGURES, type RateFigure } from '../analysis/simulation/analytic.ts';
import { formatBytes, formatCount, formatFigure, formatMs, formatRatio } from '../analysis/simulation/format.ts';
import type { Simulation } from '../analysis/simulation/simulation.ts';
import type { Validation } from '../analysis/simulation/validation.ts';
import { html, type Html } from './escape.ts';

const RATE_LABELS: Record<RateFigure, string> = {
  statements: 'statements',
  rowsWritten: 'rows written',
  rowsRead: 'rows read',
  walBytes: 'WAL',
  statusEvents: 'status events pushed',
  bytesPushed: 'bytes pushed',
};

const ENVELOPE_LABELS: Record<string, string> = {
  messagesPerDay: 'messages per day',
  averageMessagesPerSecond: 'messages per second, average',
  peakMessagesPerSecond: 'messages per second, peak',
  concurrentConnections: 'concurrent connections',
  connectionMemory: 'connection memory',
  chatServers: 'chat servers, by connections',
  textPerDay: 'text stored per day',
  textPerYear: 'text stored per year',
  mediaPerDay: 'media stored per day',
  textIngress: 'text ingress',
  mediaIngress: 'media ingress',
};

const tag = (label: string) => html`<span class="tag">${label}</span>`;

function inputsTable(simulation: Simulation): Html {
  const inputs = Object.entries(simulation.workload.inputs);
  const value = (v: unknown) => (typeof v === 'number' ? formatCount(v) : Object.entries(v as Record<string, number>).map(([k, share]) => `${k}: ${share}`).join(', '));
  const c = simulation.calibration;
  return html`<h4>Inputs</h4>
<p><strong>Measured</strong> ${tag('measured')}: each model's statements, rows written and read, status events and bytes per action, as functions of the action's shape, fitted on ${c.runs} calibration runs (${c.file}, chatbench ${c.gitSha.slice(0, 12)}${c.dirty ? ' with uncommitted changes' : ''}, ${c.createdAt}, ${c.machine.cores} cores${c.machine.cpuModel ? ` ${c.machine.cpuModel}` : ''}, ${c.loadAverage.before < 0 ? 'load average not recorded' : `load average ${c.loadAverage.before} at the start${c.loadAverage.before > c.machine.cores / 2 ? ': timings measured under load' : ''}`}); WAL bytes per action and per row written; bytes on disk per stored row; server CPU per frame and database time per statement.</p>
<p><strong>Assumed</strong> ${tag('assumed')}: the traffic, below. <em>design</em> is the design's own back-of-envelope estimate, <em>ours</em> is chatbench's assumption with its reason.</p>
<table class="inputs"><thead><tr><th>input</th><th>value</th><th>basis</th><th>why</th></tr></thead>
<tbody>${inputs.map(([key, input]) => html`<tr><th>${key}</th><td>${value(input.value)}</td><td>${input.basis}</td><td class="why">${input.why}</td></tr>`)}</tbody></table>
${c.errors.length ? html`<p class="bad">The calibration has ${c.errors.length} fit errors (exact counts that did not fit exactly): ${c.errors.slice(0, 3).join('; ')}</p>` : ''}`;
}

function envelopeTable(simulation: Simulation): Html {
  return html`<h4>The design's table ${tag('assumed')}</h4>
<table class="figures"><thead><tr><th>figure</th><th>value</th><th>from</th></tr></thead>
<tbody>${Object.entries(simulation.backOfEnvelope).map(([key, figure]) => html`<tr><th>${ENVELOPE_LABELS[key] ?? key}</th><td>${formatFigure(figure.value, figure.unit)}</td><td class="why">${figure.from}</td></tr>`)}</tbody></table>`;
}

function modelTable(simulation: Simulation): Html {
  const { models, baseline, perModel } = simulation;
  return html`<h4>Per model ${tag('simulated: measured costs × assumed traffic')}</h4>
<table class="figures"><thead><tr><th>figure</th><th>model</th><th>per day</th><th>average per second</th><th>peak per second</th><th>× ${baseline}</th></tr></thead>
<tbody>${RATE_FIGURES.flatMap((figure) =>
    models.map((model) => {
      const rate = perModel[model]!.rates[figure];
      return html`<tr><th>${RATE_LABELS[figure]}</th><td>${model}</td><td>${formatFigure(rate.perDay, rate.unit)}</td><td>${formatFigure(rate.averagePerSecond, rate.unit)}</td><td>${formatFigure(rate.peakPerSecond, rate.unit)}</td><td class="ratio">${formatRatio(perModel[model]!.ratioToBaseline[figure])}</td></tr>`;
    }),
  )}</tbody></table>`;
}

function capacityTable(simulation: Simulation): Html {
  const rows = simulation.models.map((model) => {
    const m = simulation.perModel[model]!;
    return html`<tr><th>${model}</th><td>${m.chatServers.needed}</td><td>${m.chatServers.byConnections}</td><td>${m.chatServers.byCpu} (${formatCount(m.chatServers.coresAtPeak)} cores at peak)</td><td>${m.databaseNodes.nodes}</td><td>${formatCount(m.databaseNodes.statementsPerSecondPerNode)} ${tag(m.databaseNodes.capacityBasis)}</td></tr>`;
  });
  return html`<h4>Servers and database nodes</h4>
<table class="figures"><thead><tr><th>model</th><th>chat servers</th><th>by connections ${tag('assumed')}</th><th>by CPU ${tag('measured')}</th><th>database nodes</th><th>statements/s per node</th></tr></thead><tbody>${rows}</tbody></table>
<ul class="note">${simulation.models.map((model) => html`<li>${model}: ${simulation.perModel[model]!.databaseNodes.capacityHow}.</li>`)}</ul>`;
}

function storageTable(simulation: Simulation): Html {
  const rows = simulation.models.flatMap((model) =>
    Object.entries(simulation.perModel[model]!.storedBytesPerDay).map(([table, stored]) => html`<tr><th>${model}</th><td>${table}</td><td>${formatCount(stored.rowsPerDay)}</td><td>${Math.round(stored.bytesPerRow)}</td><td>${formatBytes(stored.bytesPerDay)}</td></tr>`),
  );
  return html`<h4>Stored per day, by table ${tag('simulated')}</h4>
<p class="note">Rows per day from each table's fitted row count; bytes per row as measured on disk at the end of calibration runs, indexes and not yet vacuumed row versions included, with chatbench's short message bodies (the text itself is the design's figure above).</p>
<table class="figures"><thead><tr><th>model</th><th>table</th><th>rows per day</th><th>bytes per row</th><th>per day</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function dynamicsTable(simulation: Simulation): Html {
  const rows = simulation.models.map((model) => {
    const d = simulation.perModel[model]!.dynamics;
    return html`<tr><th>${model}</th><td>${formatCount(d.peak.actionsPerSecond)}</td><td>${formatMs(d.peak.ackMs.p50)} / ${formatMs(d.peak.ackMs.p99)}</td><td>${formatMs(d.peak.receiptMs.p50)} / ${formatMs(d.peak.receiptMs.p99)}</td><td>${Math.round(d.peak.utilisation.node * 100)}% / ${Math.round(d.peak.utilisation.database * 100)}%</td><td>${formatCount(d.peak.saturatesAt.perSecond)}/s (${d.peak.saturatesAt.bottleneck})</td><td>${formatMs(d.storm.syncedMs.p50)} / ${formatMs(d.storm.syncedMs.p99)}</td><td>${formatCount(d.storm.peakRowsReadPerSecond)}</td></tr>`;
  });
  const storm = simulation.perModel[simulation.models[0]!]!.dynamics.storm;
  return html`<h4>Queues ${tag('simulated: discrete-event, seeded')}</h4>
<p class="note">One chat-server process at its share of the peak, with the database capacity its traffic gets; service times are the measured CPU per frame and time per statement. The storm: ${storm.users.toLocaleString('en-US')} users reconnecting to one node within ${storm.windowSeconds} s, one database node behind it.</p>
<table class="figures"><thead><tr><th>model</th><th>actions/s per process</th><th>ack p50 / p99</th><th>receipt p50 / p99</th><th>busy: node / database</th><th>saturates at</th><th>storm: synced p50 / p99</th><th>storm: peak rows read/s</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function validationBlock(validation: Validation | null): Html {
  if (!validation) {
    return html`<h4>How wrong it can be</h4><p class="bad">Not validated: this calibration carries no validation. <code>chatbench simulate validate --attach CALIBRATION</code> measures the simulator against a run it was not calibrated on.</p>`;
  }
  const point = (p: Record<string, number>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
  const pct = (error: number) => (Number.isFinite(error) ? `${error >= 0 ? '+' : ''}${(error * 100).toFixed(1)}%` : 'n/a');
  const rows = Object.keys(validation.wal).map((model) => {
    const wal = validation.wal[model]!;
    const ack = validation.ackP50[model]!;
    return html`<tr><th>${model}</th><td>${formatBytes(wal.predicted)}</td><td>${formatBytes(wal.measured)}</td><td class="${wal.ok ? '' : 'bad'}">${pct(wal.error)}</td><td>${formatMs(ack.predicted)}</td><td>${formatMs(ack.measured)}</td><td class="${ack.ok ? '' : 'bad'}">${pct(ack.error)}</td></tr>`;
  });
  return html`<h4>How wrong it can be ${tag('measured')}</h4>
<p>${validation.scenario}: calibrated on ${point(validation.calibratedOn[0])} and ${point(validation.calibratedOn[1])}, predicted ${point(validation.predictedAt)}, then run (${validation.runIds.measured}, load average ${validation.measuredAt.loadAverage.before} on ${validation.measuredAt.machine.cores} cores). Exact per-action figures: ${validation.exactMismatches === 0 ? 'every one equal to the run' : html`<strong class="bad">${validation.exactMismatches} differ</strong>`}.</p>
<table class="figures"><thead><tr><th>model</th><th>WAL predicted</th><th>WAL measured</th><th>error (tolerance 10%)</th><th>ack p50 predicted</th><th>ack p50 measured</th><th>error (tolerance 25%)</th></tr></thead><tbody>${rows}</tbody></table>
${validation.ok ? '' : html`<p class="bad">The simulator is off by more than its tolerance here: treat its WAL and latency figures as rough.</p>`}`;
}

/** The section; `charts` are the rendered sensitivity chart(s). */
export function simulationSection(simulation: Simulation | undefined, charts: Html[], missing?: string): Html {
  if (!simulation) {
    return html`<section class="simulation"><h2>At 500M daily users ${tag('simulated')}</h2><p class="note">${missing ?? 'No simulation: run chatbench simulate calibrate, then chatbench simulate.'}</p></section>`;
  }
  const estimated = simulation.models.flatMap((model) => simulation.perModel[model]!.notes.map((note) => `${model} ${note}`));
  return html`<section class="simulation" id="${simulation.simulationId}"><h2>At 500M daily users (simulated) <span class="runid">${simulation.simulationId}</span></h2>
<p>What each model costs under the ${simulation.workload.name} workload: per-action costs <em>measured</em> on this machine and fitted, applied to <em>assumed</em> traffic. Not a measurement at that scale. Baseline: ${simulation.baseline}.</p>
${inputsTable(simulation)}
${envelopeTable(simulation)}
${modelTable(simulation)}
${capacityTable(simulation)}
${storageTable(simulation)}
${dynamicsTable(simulation)}
<h4>Which assumption moves the answer most</h4>
<p class="note">${simulation.sensitivity.output} with each assumed input at ${(1 - simulation.sensitivity.swing) * 100}% and ${(1 + simulation.sensitivity.swing) * 100}% of its value, the rest held.</p>
${charts.length ? html`<div class="charts">${charts}</div>` : html`<p class="note">No input moves it.</p>`}
${validationBlock(simulation.validation)}
${estimated.length ? html`<h4>Estimated, not exact</h4><ul class="note">${estimated.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
<p class="note">Reproduce with: <code>chatbench simulate --workload ${simulation.workload.source} --models ${simulation.models.join(',')} --baseline ${simulation.baseline} --seed ${simulation.seed} --calibration ${simulation.calibration.file}</code></p>
</section>`;
}
