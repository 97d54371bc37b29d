// WAL bytes per scenario phase: the database's own account of what each model wrote, which the
// app-side row counts cannot hide from.
import { modelNames } from '../figures.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, needsLogScale, SCHEMA } from './common.ts';

export const walPhases: ChartDefinition = {
  title: 'WAL bytes per phase',
  build({ run }) {
    if (!run) return undefined;
    const models = modelNames(run.results);
    const rows: Array<{ model: string; phase: string; start: number; wal_kib: number }> = [];
    for (const model of models) {
      for (const phase of run.results.models[model]?.phases ?? []) {
        rows.push({ model, phase: phase.name, start: phase.startMs, wal_kib: phase.wal_bytes / 1024 });
      }
    }
    if (!rows.some((row) => row.wal_kib > 0)) return undefined;
    // phases in the order they ran (by the earliest start across models)
    const firstStart = new Map<string, number>();
    for (const row of rows) firstStart.set(row.phase, Math.min(firstStart.get(row.phase) ?? Infinity, row.start));
    const order = [...firstStart].sort(([, a], [, b]) => a - b).map(([phase]) => phase);
    const log = needsLogScale(rows.map((row) => row.wal_kib));
    return {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: 'WAL written per phase (KiB)',
      width: { step: 28 },
      height: 200,
      data: { values: rows.map(({ model, phase, wal_kib }) => ({ model, phase, wal_kib })) },
      mark: 'bar',
      encoding: {
        x: { field: 'phase', type: 'nominal', sort: order, title: 'phase', axis: { labelAngle: 0 } },
        xOffset: { field: 'model', type: 'nominal', sort: models },
        y: {
          field: 'wal_kib',
          type: 'quantitative',
          title: log ? 'WAL KiB (symlog scale)' : 'WAL KiB',
          scale: log ? { type: 'symlog' } : { type: 'linear', zero: true },
        },
        color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models },
      },
    };
  },
};
