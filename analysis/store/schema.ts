// The store's schema, shared by every backend. Numbered migrations, applied in order and recorded
// in `schema_version`, so a store created by an older chatbench is brought forward, never rebuilt.
// SQL here must run on both chDB and ClickHouse 18.16: times are Float64 epoch milliseconds, every
// table is a plain MergeTree with ORDER BY, and no function newer than 18.16 appears.
import { firstLine, StoreUnavailableError, type SqlEngine } from './engine.ts';

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, per-action figures and raw latency samples',
    statements: [
      // One row per run and model; `results` is the whole results document so getRun is exact.
      `CREATE TABLE IF NOT EXISTS runs (
        run_id String,
        model String,
        scenario String,
        params String,
        seed Int64,
        driver String,
        git_sha String,
        started_at Float64,
        sweep_id String,
        results String,
        stored_at Float64
      ) ENGINE = MergeTree() ORDER BY (run_id, model)`,
      // Figures are totals over `count` actions (SPEC "Results contract"); queries divide.
      `CREATE TABLE IF NOT EXISTS actions (
        run_id String,
        model String,
        action String,
        count UInt64,
        db_statements UInt64,
        db_rows_written UInt64,
        db_rows_read UInt64,
        ws_events_pushed UInt64,
        ws_bytes_pushed UInt64
      ) ENGINE = MergeTree() ORDER BY (run_id, model, action)`,
      // Raw samples, so quantiles stay exact when several load generators feed one run.
      `CREATE TABLE IF NOT EXISTS samples (
        run_id String,
        model String,
        metric String,
        t_ms Float64,
        value_ms Float64,
        tags String
      ) ENGINE = MergeTree() ORDER BY (run_id, model, metric)`,
    ],
  },
  {
    version: 2,
    description: 'simulations: a workload priced by a calibration, one row each',
    statements: [
      // `document` is the whole simulation (inputs, fits used, figures, validation), so a report
      // drawn from the store shows exactly what the command printed.
      `CREATE TABLE IF NOT EXISTS simulations (
        simulation_id String,
        workload String,
        models String,
        calibration_git_sha String,
        seed Int64,
        document String,
        stored_at Float64
      ) ENGINE = MergeTree() ORDER BY simulation_id`,
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export const SAMPLE_COLUMNS = ['run_id', 'model', 'metric', 't_ms', 'value_ms', 'tags'] as const;
export const ACTION_COLUMNS = [
  'run_id',
  'model',
  'action',
  'count',
  'db_statements',
  'db_rows_written',
  'db_rows_read',
  'ws_events_pushed',
  'ws_bytes_pushed',
] as const;
export const SIMULATION_COLUMNS = ['simulation_id', 'workload', 'models', 'calibration_git_sha', 'seed', 'document', 'stored_at'] as const;

export const RUN_COLUMNS = [
  'run_id',
  'model',
  'scenario',
  'params',
  'seed',
  'driver',
  'git_sha',
  'started_at',
  'sweep_id',
  'results',
  'stored_at',
] as const;

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/** Brings the store to SCHEMA_VERSION; returns the versions it applied. */
export async function migrate(engine: SqlEngine, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await engine.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version UInt32, applied_at Float64) ENGINE = MergeTree() ORDER BY version',
  );
  const [row] = await engine.select<{ v: unknown }>('SELECT toFloat64(max(version)) AS v FROM schema_version');
  const current = Number(row?.v ?? 0);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (current > latest) {
    throw new SchemaVersionError(
      `the store at ${engine.location} has schema version ${current}, newer than this chatbench knows (${latest}): upgrade chatbench`,
    );
  }
  await recreateMissingTables(engine, migrations.filter((migration) => migration.version <= current));
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements) await engine.exec(statement);
    // Recorded only after every statement succeeded, so a failed migration is retried whole
    // (each statement is idempotent).
    await engine.insertTsv('schema_version', ['version', 'applied_at'], Buffer.from(`${migration.version}\t${Date.now()}\n`));
    applied.push(migration.version);
  }
  return applied;
}

/** The tables a migration creates, read from its CREATE TABLE statements. */
export function tablesCreatedBy(migrations: readonly Migration[]): string[] {
  const names: string[] = [];
  for (const migration of migrations) {
    for (const statement of migration.statements) {
      const match = /^\s*CREATE TABLE IF NOT EXISTS\s+(\w+)/i.exec(statement);
      if (match) names.push(match[1]!);
    }
  }
  return names;
}

/**
 * A table of an applied migration that is gone (dropped by hand, a half-deleted directory) is
 * made again: the migrations' statements are idempotent, so those of the migration that created
 * it run again. Its rows are lost; the store works again. When even that fails, say how to repair.
 */
async function recreateMissingTables(engine: SqlEngine, applied: readonly Migration[]): Promise<string[]> {
  const expected = tablesCreatedBy(applied);
  if (expected.length === 0) return [];
  const present = new Set((await engine.select<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()')).map((row) => row.name));
  const missing = expected.filter((name) => !present.has(name));
  if (missing.length === 0) return [];
  try {
    for (const migration of applied) {
      if (tablesCreatedBy([migration]).some((name) => missing.includes(name))) for (const statement of migration.statements) await engine.exec(statement);
    }
  } catch (error) {
    throw new StoreUnavailableError(
      `the store at ${engine.location} is missing table(s) ${missing.join(', ')} and they could not be recreated (${firstLine(error)}); ` +
        'recreate them with any chatbench command that opens the store once it is writable, or start a new store with --store-dir',
    );
  }
  return missing;
}
