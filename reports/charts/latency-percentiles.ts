// Exact latency percentile curves (from raw samples), one panel per metric, one line per model.
import { modelNames } from '../figures.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, SCHEMA } from './common.ts';

export function levelLabel(q: number): string {
  if (q === 0) return 'min';
  if (q === 100) return 'max';
  return `p${q}`;
}

export const latencyPercentiles: ChartDefinition = {
  title: 'Latency percentiles',
  build({ run }) {
    if (!run) return undefined;
    const models = modelNames(run.results).filter((m) => run.percentiles[m]);
    const rows: Array<{ model: string; metric: string; q: number; level: string; value_ms: number }> = [];
    const levels = new Map<number, string>();
    for (const model of models) {
      for (const [metric, curve] of Object.entries(run.percentiles[model]!).sort(([a], [b]) => a.localeCompare(b))) {
        for (const point of curve.points) {
          levels.set(point.q, levelLabel(point.q));
          rows.push({ model, metric, q: point.q, level: levelLabel(point.q), value_ms: point.value_ms });
        }
      }
    }
    if (rows.length === 0) return undefined;
    const levelOrder = [...levels].sort(([a], [b]) => a - b).map(([, label]) => label);
    return {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: 'Latency percentiles from raw samples (ms)',
      data: { values: rows },
      columns: 2,
      facet: { field: 'metric', type: 'nominal', title: null },
      spec: {
        width: 260,
        height: 160,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'level', type: 'ordinal', sort: levelOrder, title: 'percentile', axis: { labelAngle: -40 } },
          y: { field: 'value_ms', type: 'quantitative', title: 'ms' },
          color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models },
        },
      },
      resolve: { scale: { y: 'independent' } },
    };
  },
};
