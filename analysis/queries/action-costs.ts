// Per-action cost per model for one run: each figure divided by the number of actions, which is
// how reports and gates compare models (SPEC "Per-action figures are totals; reports divide").
import type { ActionFigure } from '../metric-names.ts';
import { assertRunId, sqlString, toNumber } from '../store/sql.ts';
import type { MetricsStore } from '../store/types.ts';

export interface ActionCostRow {
  model: string;
  action: string;
  count: number;
  totals: Record<ActionFigure, number>;
  /** totals / count; null when the action never happened (count 0) */
  perAction: Record<ActionFigure, number | null>;
}

/** Figure name in the results contract -> column in the `actions` table. */
export const FIGURE_COLUMNS: Record<ActionFigure, string> = {
  'db.statements': 'db_statements',
  'db.rows_written': 'db_rows_written',
  'db.rows_read': 'db_rows_read',
  'ws.events_pushed': 'ws_events_pushed',
  'ws.bytes_pushed': 'ws_bytes_pushed',
};

export function actionCostsSql(runIds: readonly string[]): string {
  const ids = runIds.map((id) => sqlString(assertRunId(id))).join(', ');
  const totals = Object.values(FIGURE_COLUMNS).map((column) => `toFloat64(${column}) AS ${column}`);
  return `
    SELECT run_id, model, action, toFloat64(count) AS count, ${totals.join(', ')}
    FROM actions
    WHERE run_id IN (${ids})
    ORDER BY run_id, model, action`;
}

export async function actionCosts(store: MetricsStore, runId: string): Promise<ActionCostRow[]> {
  return (await actionCostsForRuns(store, [runId])).map(({ runId: _ignored, ...row }) => row);
}

export async function actionCostsForRuns(store: MetricsStore, runIds: readonly string[]): Promise<(ActionCostRow & { runId: string })[]> {
  if (runIds.length === 0) return [];
  const rows = await store.query<Record<string, unknown>>(actionCostsSql(runIds));
  return rows.map((row) => {
    const count = toNumber(row.count, 'count');
    const totals = {} as Record<ActionFigure, number>;
    const perAction = {} as Record<ActionFigure, number | null>;
    for (const [figure, column] of Object.entries(FIGURE_COLUMNS) as [ActionFigure, string][]) {
      totals[figure] = toNumber(row[column], column);
      perAction[figure] = count > 0 ? totals[figure] / count : null;
    }
    return { runId: String(row.run_id), model: String(row.model), action: String(row.action), count, totals, perAction };
  });
}
