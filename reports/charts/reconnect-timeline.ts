// Connections held and events pushed per second, per model: shows the reconnect storm and how
// long each model keeps pushing status to catch clients up.
import { modelNames } from '../figures.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, SCHEMA } from './common.ts';

const SERIES = { connections: 'connections open', events_pushed: 'events pushed per second' } as const;

export const reconnectTimeline: ChartDefinition = {
  title: 'Reconnect timeline',
  build({ run }) {
    if (!run) return undefined;
    const models = modelNames(run.results).filter((m) => (run.results.models[m]?.timeline?.length ?? 0) > 0);
    // a single second is a total, not a timeline: the per-action charts already show it
    if (!models.some((m) => run.results.models[m]!.timeline!.length >= 2)) return undefined;
    const rows: Array<{ model: string; t: number; series: string; value: number }> = [];
    for (const model of models) {
      for (const point of run.results.models[model]!.timeline!) {
        for (const [key, series] of Object.entries(SERIES)) {
          rows.push({ model, t: point.t, series, value: point[key as keyof typeof SERIES] });
        }
      }
    }
    return {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: 'Timeline: connections and events pushed per second',
      data: { values: rows },
      facet: { row: { field: 'series', type: 'nominal', title: null, sort: Object.values(SERIES) } },
      spec: {
        width: 560,
        height: 130,
        mark: { type: 'line', point: true, interpolate: 'step-after' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds since run start' },
          y: { field: 'value', type: 'quantitative', title: null },
          color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models },
        },
      },
      resolve: { scale: { y: 'independent' } },
    };
  },
};
