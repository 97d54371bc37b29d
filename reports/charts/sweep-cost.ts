// The sweep cost curve: how rows written per action grow with the varied parameter, both models.
// A flat watermark line against a rising naive one is the whole argument in one picture.
import { actionsPerformed, modelNames, perAction } from '../figures.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, needsLogScale, SCHEMA } from './common.ts';

export const sweepCost: ChartDefinition = {
  title: 'Sweep cost curve',
  build({ sweep }) {
    if (!sweep || sweep.points.length < 2) return undefined;
    const numeric = sweep.points.every((p) => typeof p.value === 'number');
    const models = [...new Set(sweep.points.flatMap((p) => modelNames(p.results)))];
    const rows: Array<{ value: number | string; model: string; action: string; rows_per_action: number }> = [];
    for (const point of sweep.points) {
      for (const action of actionsPerformed(point.results)) {
        if (action === 'send') continue; // message storage itself; the same in every model
        for (const model of models) {
          const value = perAction(point.results, model, action, 'db.rows_written');
          if (value !== undefined) rows.push({ value: point.value, model, action, rows_per_action: value });
        }
      }
    }
    // only actions where some model writes at all: the rest would be flat lines at zero
    const writing = new Set(rows.filter((r) => r.rows_per_action > 0).map((r) => r.action));
    const shown = rows.filter((r) => writing.has(r.action));
    if (shown.length === 0) return undefined;
    const log = needsLogScale(shown.map((r) => r.rows_per_action));
    return {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: `Rows written per action as ${sweep.parameter} varies`,
      data: { values: shown },
      facet: { column: { field: 'action', type: 'nominal', title: null } },
      spec: {
        width: 220,
        height: 180,
        mark: { type: 'line', point: true },
        encoding: {
          x: numeric
            ? { field: 'value', type: 'quantitative', title: sweep.parameter }
            : { field: 'value', type: 'ordinal', title: sweep.parameter, sort: sweep.points.map((p) => String(p.value)) },
          y: {
            field: 'rows_per_action',
            type: 'quantitative',
            title: log ? 'rows written per action (symlog scale)' : 'rows written per action',
            scale: log ? { type: 'symlog' } : { type: 'linear', zero: true },
          },
          color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models },
        },
      },
    };
  },
};
