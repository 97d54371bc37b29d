// Text output of the simulate commands: tables a terminal reader can scan, with every figure's
// basis (exact, estimated, assumed) in sight.
import { FITTED_FIGURES } from '../../analysis/simulation/features.ts';
import type { Calibration } from '../../analysis/simulation/calibration.ts';
import { RATE_FIGURES, type RateFigure } from '../../analysis/simulation/analytic.ts';
import { formatBytes, formatCount, formatFigure, formatMs, formatRatio } from '../../analysis/simulation/format.ts';
import type { Prediction } from '../../analysis/simulation/prediction.ts';
import type { Simulation } from '../../analysis/simulation/simulation.ts';
import { VALIDATION_TOLERANCE, type Validation } from '../../analysis/simulation/validation.ts';
import { renderRows } from '../text-table.ts';

export function renderPrediction(prediction: Prediction): string {
  const rows: Record<string, unknown>[] = [];
  for (const [model, predicted] of Object.entries(prediction.models)) {
    for (const [kind, figures] of Object.entries(predicted.actions)) {
      const row: Record<string, unknown> = { model, action: kind, count: figures.count };
      for (const figure of FITTED_FIGURES) row[figure] = (figures as Record<string, number>)[figure] ?? 0;
      row.basis = predicted.basis[kind]!.basis;
      rows.push(row);
    }
  }
  const notes = Object.entries(prediction.models).flatMap(([model, predicted]) =>
    Object.entries(predicted.basis).flatMap(([kind, basis]) => basis.notes.map((note) => `  ${model} ${kind}: ${note}`)),
  );
  const wal = Object.entries(prediction.models).map(([model, predicted]) => `${model} ${predicted.wal_bytes.value}`).join(', ');
  const params = Object.entries(prediction.params).map(([key, value]) => `${key}=${value}`).join(' ');
  return [
    `${prediction.scenario} ${params} seed ${prediction.seed}: predicted, nothing was run`,
    renderRows(rows),
    `WAL bytes (estimated): ${wal}`,
    ...(notes.length ? ['estimated figures:', ...notes] : []),
    `exact: equals a real run at these parameters; estimated: fitted, not exact (see the notes)`,
    `calibration: ${prediction.calibration.file} (measured at ${prediction.calibration.gitSha.slice(0, 12)}, ${prediction.calibration.createdAt})${prediction.calibration.errors ? `, ${prediction.calibration.errors} fit errors` : ''}`,
    '',
  ].join('\n');
}

export function renderCalibration(calibration: Calibration, file: string): string {
  const lines = [`wrote ${file}: ${calibration.provenance.runs.length} runs, models ${Object.keys(calibration.models).join(', ')}`];
  for (const [model, fitted] of Object.entries(calibration.models)) {
    const exact = Object.values(fitted.actions).flatMap((figures) => Object.values(figures)).filter((fit) => fit.exact?.exact).length;
    lines.push(
      `  ${model}: ${exact} exact figure fits; WAL fit off by ${(fitted.wal.totalRelativeError * 100).toFixed(1)}% over ${fitted.wal.points} phases; ` +
        `server CPU ${fitted.service.cpuMsPerFrame.toFixed(3)} ms/frame; ${fitted.capacity.statementsPerSecond} statements/s at most in a phase`,
    );
  }
  lines.push(`  measured on ${calibration.provenance.machine.cores} cores, ${loadText(calibration.provenance.loadAverage, calibration.provenance.machine.cores)}`);
  if (calibration.errors.length) lines.push('errors (counts the spec defines exactly that did not fit exactly):', ...calibration.errors.map((error) => `  ${error}`));
  return `${lines.join('\n')}\n`;
}

const RATE_LABELS: Record<RateFigure, string> = {
  statements: 'statements',
  rowsWritten: 'rows written',
  rowsRead: 'rows read',
  walBytes: 'WAL bytes',
  statusEvents: 'status events',
  bytesPushed: 'bytes pushed',
};

const ENVELOPE_LABELS: Record<string, string> = {
  messagesPerDay: 'messages per day',
  averageMessagesPerSecond: 'messages per second, average',
  peakMessagesPerSecond: 'messages per second, peak',
  concurrentConnections: 'concurrent connections',
  connectionMemory: 'connection memory',
  chatServers: 'chat servers (by connections)',
  textPerDay: 'text stored per day',
  textPerYear: 'text stored per year',
  mediaPerDay: 'media stored per day',
  textIngress: 'text ingress',
  mediaIngress: 'media ingress',
};

export function renderSimulation(simulation: Simulation): string {
  const out: string[] = [];
  const { calibration } = simulation;
  out.push(`chatbench simulate: ${simulation.workload.name} (${simulation.workload.source}), models ${simulation.models.join(', ')}, baseline ${simulation.baseline}, seed ${simulation.seed}`);
  out.push(`calibration: ${calibration.file}, ${calibration.runs} runs measured at ${calibration.gitSha.slice(0, 12)}${calibration.dirty ? ' (uncommitted changes)' : ''} on ${calibration.createdAt}, ${calibration.machine.cores} cores, ${loadText(calibration.loadAverage, calibration.machine.cores)}${calibration.errors.length ? `; ${calibration.errors.length} FIT ERRORS` : ''}`);
  out.push('', 'Back of the envelope [assumed: the workload\'s assumptions only, nothing measured]');
  out.push(
    renderRows(
      Object.entries(simulation.backOfEnvelope).map(([key, figure]) => ({ figure: ENVELOPE_LABELS[key] ?? key, value: formatFigure(figure.value, figure.unit), basis: figure.basis, from: figure.from })),
    ),
  );
  out.push(`Per model [simulated: costs measured per action on the calibration machine x the assumed workload], ratio to ${simulation.baseline}`);
  const rows: Record<string, unknown>[] = [];
  for (const figure of RATE_FIGURES) {
    for (const model of simulation.models) {
      const rate = simulation.perModel[model]!.rates[figure];
      rows.push({
        figure: RATE_LABELS[figure],
        model,
        'per day': formatFigure(rate.perDay, rate.unit),
        'average /s': formatFigure(rate.averagePerSecond, rate.unit),
        'peak /s': formatFigure(rate.peakPerSecond, rate.unit),
        [`x ${simulation.baseline}`]: formatRatio(simulation.perModel[model]!.ratioToBaseline[figure]),
      });
    }
  }
  out.push(renderRows(rows));
  out.push('Stored per day by table [simulated: rows per day from the fitted row counts x bytes per row measured on disk, indexes and unvacuumed versions included]');
  out.push(
    renderRows(
      simulation.models.flatMap((model) =>
        Object.entries(simulation.perModel[model]!.storedBytesPerDay).map(([table, stored]) => ({ model, table, 'rows/day': formatCount(stored.rowsPerDay), 'bytes/row': Math.round(stored.bytesPerRow), 'per day': formatBytes(stored.bytesPerDay) })),
      ),
    ),
  );
  out.push('Servers and database nodes');
  out.push(
    renderRows(
      simulation.models.map((model) => {
        const m = simulation.perModel[model]!;
        return {
          model,
          'chat servers': m.chatServers.needed,
          'by connections [assumed]': m.chatServers.byConnections,
          'by CPU [measured ms/frame]': m.chatServers.byCpu,
          'cores at peak': formatCount(m.chatServers.coresAtPeak),
          'database nodes': m.databaseNodes.nodes,
          [`statements/s per node [${m.databaseNodes.capacityBasis}]`]: formatCount(m.databaseNodes.statementsPerSecondPerNode),
        };
      }),
    ),
  );
  for (const model of simulation.models) out.push(`  ${model} database capacity: ${simulation.perModel[model]!.databaseNodes.capacityHow}`);
  out.push('', 'Queues at peak, one chat-server process [simulated: discrete-event, seeded; service times measured]');
  out.push(
    renderRows(
      simulation.models.map((model) => {
        const d = simulation.perModel[model]!.dynamics;
        return {
          model,
          'actions/s': formatCount(d.peak.actionsPerSecond),
          'ack p50/p99': `${formatMs(d.peak.ackMs.p50)} / ${formatMs(d.peak.ackMs.p99)}`,
          'receipt p50/p99': `${formatMs(d.peak.receiptMs.p50)} / ${formatMs(d.peak.receiptMs.p99)}`,
          'node busy': `${Math.round(d.peak.utilisation.node * 100)}%`,
          'database busy': `${Math.round(d.peak.utilisation.database * 100)}%`,
          'saturates at': `${formatCount(d.peak.saturatesAt.perSecond)}/s (${d.peak.saturatesAt.bottleneck})`,
          [`storm: ${d.storm.users} users in ${d.storm.windowSeconds} s, synced p50/p99`]: `${formatMs(d.storm.syncedMs.p50)} / ${formatMs(d.storm.syncedMs.p99)}`,
          'storm peak rows read/s': formatCount(d.storm.peakRowsReadPerSecond),
        };
      }),
    ),
  );
  out.push(`Sensitivity: ${simulation.sensitivity.output} with each input at ${(1 - simulation.sensitivity.swing) * 100}% and ${(1 + simulation.sensitivity.swing) * 100}% (widest first)`);
  for (const model of simulation.models) {
    const s = simulation.sensitivity.models[model]!;
    const bars = s.bars.slice(0, 5).map((bar) => `${bar.input} ${formatCount(bar.low)}..${formatCount(bar.high)}`);
    out.push(`  ${model} (${formatCount(s.base)}): ${bars.join('; ')}`);
  }
  out.push('', renderValidationSummary(simulation.validation));
  const notes = simulation.models.flatMap((model) => simulation.perModel[model]!.notes.map((note) => `  ${model} ${note}`));
  if (notes.length) out.push('Estimated, not exact:', ...notes);
  out.push('', 'Inputs [design: the design\'s back-of-envelope estimate; ours: chatbench\'s assumption; given: in the workload file without a reason]');
  out.push(renderRows(Object.entries(simulation.workload.inputs).map(([key, input]) => ({ input: key, value: typeof input.value === 'number' ? input.value : JSON.stringify(input.value), basis: input.basis, why: input.why }))));
  out.push(`simulation ${simulation.simulationId}`);
  return `${out.join('\n')}\n`;
}

export function renderValidationSummary(validation: Validation | null): string {
  if (!validation) return 'Validation: none with this calibration (chatbench simulate validate measures the simulator against a run it has not seen)';
  const wal = Object.entries(validation.wal).map(([model, check]) => `${model} ${percent(check.error)}`).join(', ');
  const ack = Object.entries(validation.ackP50).map(([model, check]) => `${model} ${percent(check.error)}`).join(', ');
  const params = (point: Record<string, number>) => Object.entries(point).map(([key, value]) => `${key}=${value}`).join(' ');
  return [
    `Validation [measured]: ${validation.scenario} calibrated on ${params(validation.calibratedOn[0])} and ${params(validation.calibratedOn[1])}, predicted ${params(validation.predictedAt)}, then run (${validation.runIds.measured}):`,
    `  exact per-action figures: ${validation.exactMismatches === 0 ? 'all equal' : `${validation.exactMismatches} differ`}; WAL error ${wal} (tolerance ${VALIDATION_TOLERANCE.walRelative * 100}%); ack p50 error ${ack} (tolerance ${VALIDATION_TOLERANCE.ackP50Relative * 100}%)`,
    `  ${validation.ok ? 'within every tolerance' : 'OFF BY MORE THAN ITS TOLERANCE: ' + offBy(validation)}; measured at load average ${validation.measuredAt.loadAverage.before} on ${validation.measuredAt.machine.cores} cores`,
  ].join('\n');
}

function percent(error: number): string {
  return Number.isFinite(error) ? `${error >= 0 ? '+' : ''}${(error * 100).toFixed(1)}%` : 'n/a';
}

function offBy(validation: Validation): string {
  const parts: string[] = [];
  if (validation.exactMismatches) parts.push(`${validation.exactMismatches} exact figures differ`);
  for (const [model, check] of Object.entries(validation.wal)) if (!check.ok) parts.push(`${model} WAL ${percent(check.error)} (tolerance ${check.tolerance * 100}%)`);
  for (const [model, check] of Object.entries(validation.ackP50)) if (!check.ok) parts.push(`${model} ack p50 ${percent(check.error)} (tolerance ${check.tolerance * 100}%)`);
  return parts.join(', ');
}

export function renderValidation(validation: Validation): string {
  const rows = validation.figures
    .filter((check) => check.predicted !== 0 || check.measured !== 0)
    .map((check) => ({ model: check.model, action: check.kind, figure: check.figure, predicted: check.predicted, measured: check.measured, basis: check.basis, '': check.basis === 'exact' && check.predicted !== check.measured ? 'MISMATCH' : '' }));
  const errors = Object.keys(validation.wal).map((model) => ({
    model,
    'WAL predicted': formatBytes(validation.wal[model]!.predicted),
    'WAL measured': formatBytes(validation.wal[model]!.measured),
    'WAL error': percent(validation.wal[model]!.error),
    'ack p50 predicted': formatMs(validation.ackP50[model]!.predicted),
    'ack p50 measured': formatMs(validation.ackP50[model]!.measured),
    'ack p50 error': percent(validation.ackP50[model]!.error),
  }));
  return [renderRows(rows), renderRows(errors), renderValidationSummary(validation), ''].join('\n');
}

/** How busy the machine was while timings were measured: they are only as good as that. */
export function loadText(load: { before: number; after: number }, cores: number): string {
  if (load.before < 0) return 'load average not recorded (refitted from stored runs)';
  // the load after includes the measurement's own runs (a calibration keeps every core busy), so
  // only the load before it says whether other work shared the machine
  const busy = load.before > cores / 2;
  return `load average ${load.before} before and ${load.after} after (its own runs included): timings measured on a ${busy ? 'busy machine (under load)' : 'quiet machine'}`;
}
