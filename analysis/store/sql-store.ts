// The MetricsStore written once over any SqlEngine. A run is saved samples first, then actions,
// then its `runs` rows: the runs rows are the commit mark, so a run interrupted half-way is not
// "stored" and a later attempt first clears its leftovers, then stores it whole.
import { ACTION_FIGURES } from '../metric-names.ts';
import type { RunResults, Sample } from '../results-schema.ts';
import { StoreQueryError, type SqlEngine } from './engine.ts';
import { ACTION_COLUMNS, RUN_COLUMNS, migrate } from './schema.ts';
import { BatchingSampleSink, type SinkOptions } from './sink.ts';
import { assertRunId, sqlString, toNumber, trimStatement, tsvEscape } from './sql.ts';
import { getSimulation, listSimulations, saveSimulation, type SimulationRecord } from './simulations.ts';
import type { MetricsStore, StoredRunSummary, StoredSimulationSummary } from './types.ts';

export class RunRejectedError extends Error {
  override name = 'RunRejectedError';
}

export const SQL_STORE_DEFAULTS = {
  /** how long to wait for leftover rows of an interrupted save to be deleted (mutations are async on a server) */
  cleanupTimeoutMs: 30_000,
} as const;

export async function createSqlStore(engine: SqlEngine, sinkOptions: SinkOptions = {}): Promise<MetricsStore> {
  try {
    await migrate(engine);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return new SqlMetricsStore(engine, sinkOptions);
}

class SqlMetricsStore implements MetricsStore {
  constructor(
    private readonly engine: SqlEngine,
    private readonly sinkOptions: SinkOptions,
  ) {}

  get kind(): string {
    return this.engine.kind;
  }

  async saveRun(results: RunResults, samples: AsyncIterable<Sample> | Iterable<Sample>): Promise<boolean> {
    const runId = assertRunId(results.runId);
    const models = Object.keys(results.models);
    if (models.length === 0) throw new RunRejectedError(`run ${runId} has no models: nothing to store`);
    // Built before anything is written, so a document that cannot be stored leaves no trace.
    const actionText = actionLines(results);
    const runText = runLines(results);
    if (await this.hasRun(runId)) return false;
    await this.clearLeftovers(runId);

    const counted = new Map<string, number>();
    const sink = new BatchingSampleSink(this.engine, runId, this.sinkOptions);
    sink.start();
    try {
      for await (const sample of samples) {
        if (!(sample.model in results.models)) {
          throw new RunRejectedError(`run ${runId}: a sample names model ${JSON.stringify(sample.model)}, which is not in the results (${models.join(', ')})`);
        }
        if (!Number.isFinite(sample.t_ms) || !Number.isFinite(sample.value_ms)) {
          throw new RunRejectedError(`run ${runId}: a ${sample.model} ${sample.metric} sample is not a finite number`);
        }
        const key = `${sample.model}\t${sample.metric}`;
        counted.set(key, (counted.get(key) ?? 0) + 1);
        if (!sink.add(sample)) await sink.drain();
      }
    } finally {
      await sink.stop();
    }
    this.checkSampleCounts(results, counted);
    await this.verifyStoredSamples(runId, counted);

    await this.engine.insertTsv('actions', ACTION_COLUMNS, Buffer.from(actionText));
    await this.engine.insertTsv('runs', RUN_COLUMNS, Buffer.from(runText));
    return true;
  }

  async hasRun(runId: string): Promise<boolean> {
    const rows = await this.engine.select<{ n: unknown }>(
      `SELECT toFloat64(count()) AS n FROM runs WHERE run_id = ${sqlString(assertRunId(runId))}`,
    );
    return toNumber(rows[0]?.n ?? 0, 'runs count') > 0;
  }

  async getRun(runId: string): Promise<RunResults | undefined> {
    const rows = await this.engine.select<{ results: string }>(
      `SELECT results FROM runs WHERE run_id = ${sqlString(assertRunId(runId))} LIMIT 1`,
    );
    return rows[0] ? (JSON.parse(rows[0].results) as RunResults) : undefined;
  }

  async listRuns(filter: { scenario?: string; limit?: number } = {}): Promise<StoredRunSummary[]> {
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit <= 0)) {
      throw new RangeError(`limit must be a positive integer, got ${filter.limit}`);
    }
    const where = filter.scenario === undefined ? '' : `WHERE scenario = ${sqlString(filter.scenario)}`;
    // Aliases differ from column names: older ClickHouse substitutes an alias into WHERE, which
    // would put any(scenario) inside the filter.
    const rows = await this.engine.select<RunRow>(`
      SELECT run_id, any(scenario) AS run_scenario, any(params) AS run_params, toString(any(seed)) AS run_seed,
             any(driver) AS run_driver, any(git_sha) AS run_git_sha, any(started_at) AS run_started_at,
             any(sweep_id) AS run_sweep_id, arraySort(groupArray(model)) AS run_models
      FROM runs ${where}
      GROUP BY run_id
      ORDER BY run_started_at DESC, run_id
      ${filter.limit ? `LIMIT ${filter.limit}` : ''}`);
    return rows.map((row) => ({
      runId: row.run_id,
      scenario: row.run_scenario,
      startedAt: new Date(toNumber(row.run_started_at, 'started_at')).toISOString(),
      params: JSON.parse(row.run_params) as StoredRunSummary['params'],
      seed: toNumber(row.run_seed, 'seed'),
      models: row.run_models,
      gitSha: row.run_git_sha,
      driver: row.run_driver,
      ...(row.run_sweep_id ? { sweepId: row.run_sweep_id } : {}),
    }));
  }

  saveSimulation(document: SimulationRecord): Promise<boolean> {
    return saveSimulation(this.engine, document);
  }

  getSimulation(simulationId: string): Promise<unknown> {
    return getSimulation(this.engine, simulationId);
  }

  listSimulations(): Promise<StoredSimulationSummary[]> {
    return listSimulations(this.engine);
  }

  async query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    const statement = trimStatement(sql);
    if (!statement) throw new StoreQueryError('the SQL statement is empty');
    return this.engine.select<Row>(statement);
  }

  readOnly(): Promise<void> {
    return this.engine.readOnly();
  }

  async deleteRuns(runIds: readonly string[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const runId of runIds.map((id) => assertRunId(id))) {
      if (!(await this.hasRun(runId))) continue;
      // the runs rows last: they are the commit mark, so a prune cut short leaves leftovers that
      // the next save of that run clears, never a listed run with missing figures
      await this.deleteRows(['samples', 'actions', 'runs'], runId, 'pruned');
      deleted.push(runId);
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  /** The store must hold exactly the samples the driver says it recorded (results' per-metric counts). */
  private checkSampleCounts(results: RunResults, counted: Map<string, number>): void {
    for (const [model, result] of Object.entries(results.models)) {
      for (const [metric, expected] of Object.entries(result.samples ?? {})) {
        const got = counted.get(`${model}\t${metric}`) ?? 0;
        if (got !== expected) {
          throw new RunRejectedError(`run ${results.runId}: results say ${model} recorded ${expected} ${metric} samples, but ${got} were given`);
        }
      }
    }
  }

  private async verifyStoredSamples(runId: string, counted: Map<string, number>): Promise<void> {
    const rows = await this.engine.select<{ model: string; metric: string; n: unknown }>(
      `SELECT model, metric, toFloat64(count()) AS n FROM samples WHERE run_id = ${sqlString(runId)} GROUP BY model, metric`,
    );
    const stored = new Map(rows.map((row) => [`${row.model}\t${row.metric}`, toNumber(row.n, 'samples count')]));
    for (const key of new Set([...counted.keys(), ...stored.keys()])) {
      if ((stored.get(key) ?? 0) !== (counted.get(key) ?? 0)) {
        throw new StoreQueryError(
          `run ${runId}: ${counted.get(key) ?? 0} ${key.replace('\t', ' ')} samples were sent but ${stored.get(key) ?? 0} are stored`,
        );
      }
    }
  }

  private clearLeftovers(runId: string): Promise<void> {
    return this.deleteRows(['samples', 'actions'], runId, 'leftover');
  }

  /** ALTER ... DELETE is asynchronous on a server: waits until the rows are gone. */
  private async deleteRows(tables: readonly string[], runId: string, what: string): Promise<void> {
    const id = sqlString(runId);
    for (const table of tables) {
      const count = async () => toNumber((await this.engine.select<{ n: unknown }>(`SELECT toFloat64(count()) AS n FROM ${table} WHERE run_id = ${id}`))[0]?.n ?? 0, 'count');
      if ((await count()) === 0) continue;
      await this.engine.exec(`ALTER TABLE ${table} DELETE WHERE run_id = ${id}`);
      const deadline = Date.now() + SQL_STORE_DEFAULTS.cleanupTimeoutMs;
      while ((await count()) > 0) {
        if (Date.now() > deadline) throw new StoreQueryError(`run ${runId}: ${what} ${table} rows were not deleted in time; retry later`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

interface RunRow {
  run_id: string;
  run_scenario: string;
  run_params: string;
  run_seed: string;
  run_driver: string;
  run_git_sha: string;
  run_started_at: unknown;
  run_sweep_id: string;
  run_models: string[];
}

function actionLines(results: RunResults): string {
  let text = '';
  for (const [model, result] of Object.entries(results.models)) {
    for (const [action, figures] of Object.entries(result.actions)) {
      if (!figures) continue;
      const values = [figures.count, ...ACTION_FIGURES.map((figure) => figures[figure])];
      text += [results.runId, model, action].map(tsvEscape).join('\t') + '\t' + values.join('\t') + '\n';
    }
  }
  return text;
}

function runLines(results: RunResults): string {
  const startedAt = Date.parse(results.startedAt);
  if (Number.isNaN(startedAt)) throw new RunRejectedError(`run ${results.runId}: startedAt ${JSON.stringify(results.startedAt)} is not a date`);
  const document = JSON.stringify(results);
  const storedAt = Date.now();
  return Object.keys(results.models)
    .map((model) =>
      [
        tsvEscape(results.runId),
        tsvEscape(model),
        tsvEscape(results.scenario),
        tsvEscape(JSON.stringify(results.params)),
        String(results.seed),
        tsvEscape(results.driver),
        tsvEscape(results.gitSha),
        String(startedAt),
        tsvEscape(results.sweepId ?? ''),
        tsvEscape(document),
        String(storedAt),
      ].join('\t') + '\n',
    )
    .join('');
}

