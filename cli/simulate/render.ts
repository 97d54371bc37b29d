// Text output of the simulate commands: tables a terminal reader can scan, with every figure's
// basis (exact, estimated, assumed) in sight.
import { ACTION_FIGURES } from '../../analysis/metric-names.ts';
import type { Calibration } from '../../analysis/simulation/calibration.ts';
import type { Prediction } from '../../analysis/simulation/prediction.ts';
import { renderRows } from '../text-table.ts';

export function renderPrediction(prediction: Prediction): string {
  const rows: Record<string, unknown>[] = [];
  for (const [model, predicted] of Object.entries(prediction.models)) {
    for (const [kind, figures] of Object.entries(predicted.actions)) {
      const row: Record<string, unknown> = { model, action: kind, count: figures.count };
      for (const figure of ACTION_FIGURES) row[figure] = figures[figure];
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
  const { loadAverage } = calibration.provenance;
  lines.push(`  measured on ${calibration.provenance.machine.cores} cores, load average ${loadAverage.before} before and ${loadAverage.after} after: timings are from a ${loadAverage.before > calibration.provenance.machine.cores / 2 ? 'busy' : 'quiet'} machine`);
  if (calibration.errors.length) lines.push('errors (counts the spec defines exactly that did not fit exactly):', ...calibration.errors.map((error) => `  ${error}`));
  return `${lines.join('\n')}\n`;
}
