// The sweep cost curve: how rows written per action grow with the varied parameter, both models.
// A flat watermark line against a rising naive one is the whole argument in one picture.
import { orderModels } from '../figures.ts';
import { compareValues } from '../load.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, needsLogScale, SCHEMA } from './common.ts';

export const sweepCost: ChartDefinition = {
  title: 'Sweep cost curve',
  build({ sweep }) {
    if (!sweep || new Set(sweep.points.map((p) => p.runId)).size < 2) return undefined;
    const numeric = sweep.points.every((p) => typeof p.value === 'number');
    const models = orderModels(sweep.points.map((p) => p.model));
    const rows = sweep.points
      // send is message storage itself, the same in every model
      .filter((p) => p.action !== 'send' && p.perAction['db.rows_written'] !== null)
      .map((p) => ({ value: p.value, model: p.model, action: p.action, rows_per_action: p.perAction['db.rows_written']! }));
    const values = [...new Set(sweep.points.map((p) => p.value))].sort(compareValues).map(String);
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
            : { field: 'value', type: 'ordinal', title: sweep.parameter, sort: values },
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
