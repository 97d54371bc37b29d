// A sweep's cost curve: the runs sharing a sweep_id, the one parameter that varies across them,
// and each model's per-action figures at every value of it, in order.
import type { ActionFigure } from '../metric-names.ts';
import { sqlString, toNumber } from '../store/sql.ts';
import type { MetricsStore } from '../store/types.ts';
import { actionCostsForRuns } from './action-costs.ts';

export interface SweepPoint {
  runId: string;
  value: number | string | boolean;
  model: string;
  action: string;
  count: number;
  perAction: Record<ActionFigure, number | null>;
}

export interface SweepCurve {
  sweepId: string;
  scenario: string;
  parameter: string;
  points: SweepPoint[];
}

export class SweepError extends Error {
  override name = 'SweepError';
}

const SWEEP_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function sweepRunsSql(sweepId: string): string {
  return `
    SELECT run_id, any(scenario) AS run_scenario, any(params) AS run_params, any(started_at) AS run_started_at
    FROM runs
    WHERE sweep_id = ${sqlString(sweepId)}
    GROUP BY run_id
    ORDER BY run_started_at, run_id`;
}

/** `parameter` names the varied parameter; by default the single one whose value differs. */
export async function sweepCurve(store: MetricsStore, sweepId: string, parameter?: string): Promise<SweepCurve> {
  if (!SWEEP_ID.test(sweepId)) throw new SweepError(`sweep id ${JSON.stringify(sweepId)} is not valid`);
  const runs = (await store.query<{ run_id: string; run_scenario: string; run_params: string; run_started_at: unknown }>(sweepRunsSql(sweepId))).map((row) => ({
    runId: row.run_id,
    scenario: row.run_scenario,
    params: JSON.parse(row.run_params) as Record<string, number | string | boolean>,
    startedAt: toNumber(row.run_started_at, 'started_at'),
  }));
  if (runs.length === 0) throw new SweepError(`no stored runs belong to sweep ${sweepId}`);
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.params)))].sort();
  const varied = keys.filter((key) => new Set(runs.map((run) => JSON.stringify(run.params[key]))).size > 1);
  const chosen = parameter ?? (varied.length === 1 ? varied[0] : undefined);
  if (chosen === undefined) {
    throw new SweepError(
      varied.length === 0
        ? `the ${runs.length} runs of sweep ${sweepId} all have the same params: nothing varies`
        : `several params vary across sweep ${sweepId} (${varied.join(', ')}): name one`,
    );
  }
  if (!keys.includes(chosen)) throw new SweepError(`parameter ${JSON.stringify(chosen)} is not a param of sweep ${sweepId}; params: ${keys.join(', ')}`);

  const valueOf = new Map(runs.map((run) => [run.runId, run.params[chosen]]));
  const points: SweepPoint[] = [];
  for (const row of await actionCostsForRuns(store, runs.map((run) => run.runId))) {
    const value = valueOf.get(row.runId);
    if (value === undefined) continue;
    points.push({ runId: row.runId, value, model: row.model, action: row.action, count: row.count, perAction: row.perAction });
  }
  points.sort((a, b) => a.model.localeCompare(b.model) || a.action.localeCompare(b.action) || compareValues(a.value, b.value));
  return { sweepId, scenario: runs[0]!.scenario, parameter: chosen, points };
}

function compareValues(a: number | string | boolean, b: number | string | boolean): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}
