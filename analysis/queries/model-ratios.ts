// Every model of one run against the run's baseline model (or another one named): per action and
// figure, each model's cost per action beside the baseline's and their ratio, baseline over
// model, as the run table and the report show it. For any number of models.
import { ACTION_FIGURES, type ActionFigure } from '../metric-names.ts';
import { baselineOf } from '../model-comparison.ts';
import { assertRunId } from '../store/sql.ts';
import type { MetricsStore } from '../store/types.ts';
import { actionCosts } from './action-costs.ts';

export interface ModelRatioRow {
  model: string;
  action: string;
  figure: ActionFigure;
  perAction: number | null;
  baselinePerAction: number | null;
  /** baseline / model; null when either is missing or the model's is 0 (the baseline alone does something) */
  ratio: number | null;
}

export class ModelRatiosError extends Error {
  override name = 'ModelRatiosError';
}

export async function compareModels(store: MetricsStore, runId: string, baseline?: string): Promise<{ baseline: string; rows: ModelRatioRow[] }> {
  assertRunId(runId);
  const results = await store.getRun(runId);
  if (!results) throw new ModelRatiosError(`run ${runId} is not in the store`);
  const models = Object.keys(results.models);
  const chosen = baseline ?? baselineOf(results);
  if (!models.includes(chosen)) throw new ModelRatiosError(`baseline model "${chosen}" is not in run ${runId} (models: ${models.join(', ')})`);
  const costs = await actionCosts(store, runId);
  const of = (model: string, action: string) => costs.find((row) => row.model === model && row.action === action);
  const rows: ModelRatioRow[] = [];
  for (const row of costs) {
    for (const figure of ACTION_FIGURES) {
      const perAction = row.perAction[figure];
      const base = of(chosen, row.action)?.perAction[figure] ?? null;
      rows.push({ model: row.model, action: row.action, figure, perAction, baselinePerAction: base, ratio: perAction && base !== null ? base / perAction : null });
    }
  }
  return { baseline: chosen, rows };
}
