// Grouped bars of one per-action figure by action kind and model; used by the rows-written and
// events-pushed charts.
import type { ActionFigure } from '../../analysis/metric-names.ts';
import { actionsPerformed, modelNames, perAction } from '../figures.ts';
import type { RunReportData } from '../types.ts';
import { CHART_CONFIG, type ChartSpec, modelColorScale, needsLogScale, SCHEMA } from './common.ts';

export function perActionBars(run: RunReportData, figure: ActionFigure, label: string): ChartSpec | undefined {
  const { results } = run;
  const models = modelNames(results);
  const rows: Array<{ action: string; model: string; value: number }> = [];
  for (const action of actionsPerformed(results)) {
    for (const model of models) {
      const value = perAction(results, model, action, figure);
      if (value !== undefined) rows.push({ action, model, value });
    }
  }
  if (!rows.some((row) => row.value > 0)) return undefined;
  // symlog rather than log: a model that writes nothing for an action keeps a visible zero
  const log = needsLogScale(rows.map((row) => row.value));
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: `${label} per action`,
    width: { step: 28 },
    height: 220,
    data: { values: rows },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      x: { field: 'action', type: 'nominal', title: 'action', sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'model', type: 'nominal', sort: models },
      y: {
        field: 'value',
        type: 'quantitative',
        title: log ? `${label} per action (symlog scale)` : `${label} per action`,
        scale: log ? { type: 'symlog' } : { type: 'linear', zero: true },
      },
      color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models },
    },
  };
}
