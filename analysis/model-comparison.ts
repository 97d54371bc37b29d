// Any number of models compared against one baseline, the same way in the CLI table, the report
// and the store's comparison query: per-action figures divided by their counts, and each model's
// figure as the baseline's figure over the model's ("naive/watermark 50x": the baseline costs 50
// times as much). No Node imports.
import type { ActionFigure, ActionKind } from './metric-names.ts';
import type { RunResults } from './results-schema.ts';

/** The run's baseline: as recorded, else (older results) the first model. */
export function baselineOf(results: Pick<RunResults, 'models' | 'baseline'>): string {
  const models = Object.keys(results.models);
  return results.baseline !== undefined && models.includes(results.baseline) ? results.baseline : models[0]!;
}

/** The baseline first, then the other models in the order the run compared them. */
export function comparedModels(results: Pick<RunResults, 'models' | 'baseline'>): string[] {
  const baseline = baselineOf(results);
  return [baseline, ...Object.keys(results.models).filter((model) => model !== baseline)];
}

/** Total / count, or undefined when the model has no such action. */
export function perAction(results: Pick<RunResults, 'models'>, model: string, action: ActionKind, figure: ActionFigure): number | undefined {
  const figures = results.models[model]?.actions[action];
  if (!figures || figures.count === 0) return undefined;
  return figures[figure] / figures.count;
}

/**
 * baseline / model. Undefined when either side is missing; Infinity when only the model's is zero
 * (the model does nothing where the baseline does something), NaN when both are zero.
 */
export function ratio(baseline: number | undefined, model: number | undefined): number | undefined {
  if (baseline === undefined || model === undefined) return undefined;
  if (model === 0) return baseline === 0 ? NaN : Infinity;
  return baseline / model;
}

export function ratioToBaseline(results: RunResults, model: string, action: ActionKind, figure: ActionFigure): number | undefined {
  return ratio(perAction(results, baselineOf(results), action, figure), perAction(results, model, action, figure));
}
