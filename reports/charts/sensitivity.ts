// The tornado: for each assumed input of a simulation, the answer (peak statements per second)
// with that input at half and one and a half times its value. The widest bar is the assumption
// a design review should argue about first.
import { orderModels } from '../figures.ts';
import { CHART_CONFIG, type ChartDefinition, modelColorScale, SCHEMA } from './common.ts';

export const SENSITIVITY_BARS = 8;

export const sensitivity: ChartDefinition = {
  title: 'Sensitivity to each assumption',
  build({ simulation }) {
    if (!simulation) return undefined;
    const models = orderModels(simulation.models);
    const rows = models.flatMap((model) => {
      const s = simulation.sensitivity.models[model];
      if (!s) return [];
      return s.bars.slice(0, SENSITIVITY_BARS).map((bar, rank) => ({
        model,
        input: bar.input,
        rank,
        low: Math.min(bar.low, bar.high),
        high: Math.max(bar.low, bar.high),
        base: s.base,
      }));
    });
    if (rows.length === 0) return undefined;
    return {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      title: `${simulation.sensitivity.output}: each input at ${(1 - simulation.sensitivity.swing) * 100}% to ${(1 + simulation.sensitivity.swing) * 100}%`,
      data: { values: rows },
      facet: { row: { field: 'model', type: 'nominal', title: null, sort: models } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 420,
        height: { step: 18 },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'input', type: 'nominal', title: null, sort: { field: 'rank', order: 'ascending' }, axis: { labelLimit: 260 } },
              x: { field: 'low', type: 'quantitative', title: simulation.sensitivity.output, scale: { zero: false } },
              x2: { field: 'high' },
              color: { field: 'model', type: 'nominal', scale: modelColorScale(models), sort: models, legend: null },
            },
          },
          {
            mark: { type: 'rule', color: '#1a1a1a' },
            encoding: { x: { field: 'base', type: 'quantitative' } },
          },
        ],
      },
    };
  },
};
