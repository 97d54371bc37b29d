// Simulations in the metrics store: saved once under their content-hash id, read back exactly.
// Written over the SqlEngine like runs, so chDB and a ClickHouse server behave the same.
import type { SqlEngine } from './engine.ts';
import { SIMULATION_COLUMNS } from './schema.ts';
import { assertRunId, sqlString, toNumber, tsvEscape } from './sql.ts';
import type { StoredSimulationSummary } from './types.ts';

/** What the store needs of a simulation document; the document itself is kept whole. */
export interface SimulationRecord {
  simulationId: string;
  seed: number;
  models: string[];
  workload: { name: string };
  calibration: { gitSha: string };
}

export async function hasSimulation(engine: SqlEngine, id: string): Promise<boolean> {
  const rows = await engine.select<{ n: unknown }>(`SELECT toFloat64(count()) AS n FROM simulations WHERE simulation_id = ${sqlString(assertRunId(id, 'simulation id'))}`);
  return toNumber(rows[0]?.n ?? 0, 'simulations count') > 0;
}

export async function saveSimulation(engine: SqlEngine, document: SimulationRecord): Promise<boolean> {
  const id = assertRunId(document.simulationId, 'simulation id');
  const line = [id, document.workload.name, document.models.join(','), document.calibration.gitSha].map(tsvEscape).join('\t');
  // built before anything is written: a document that cannot be serialised leaves no trace
  const text = `${line}\t${document.seed}\t${tsvEscape(JSON.stringify(document))}\t${Date.now()}\n`;
  if (await hasSimulation(engine, id)) return false;
  await engine.insertTsv('simulations', SIMULATION_COLUMNS, Buffer.from(text));
  return true;
}

export async function getSimulation(engine: SqlEngine, id: string): Promise<unknown> {
  const rows = await engine.select<{ document: string }>(`SELECT document FROM simulations WHERE simulation_id = ${sqlString(assertRunId(id, 'simulation id'))} LIMIT 1`);
  return rows[0] ? JSON.parse(rows[0].document) : undefined;
}

export async function listSimulations(engine: SqlEngine): Promise<StoredSimulationSummary[]> {
  // aliases differ from column names (ClickHouse 18.16 substitutes aliases into expressions)
  const rows = await engine.select<{ sim_id: string; sim_workload: string; sim_models: string; sim_sha: string; sim_seed: string; sim_at: unknown }>(
    `SELECT simulation_id AS sim_id, workload AS sim_workload, models AS sim_models, calibration_git_sha AS sim_sha, toString(seed) AS sim_seed, stored_at AS sim_at
     FROM simulations ORDER BY stored_at DESC, simulation_id`,
  );
  return rows.map((row) => ({
    simulationId: row.sim_id,
    workload: row.sim_workload,
    models: row.sim_models.split(',').filter(Boolean),
    calibrationGitSha: row.sim_sha,
    seed: toNumber(row.sim_seed, 'seed'),
    storedAt: new Date(toNumber(row.sim_at, 'stored_at')).toISOString(),
  }));
}
