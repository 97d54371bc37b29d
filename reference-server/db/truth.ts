// The database's own account of a run: tuple counters from pg_stat_user_tables and WAL bytes
// from the LSN, compared with what the query layer counted.
import pg from 'pg';

export interface TableCounters {
  ins: number;
  upd: number;
  del: number;
  bytes: number;
  /** rows the table holds now, counted exactly (the tuple counters include aborted attempts) */
  rows: number;
}

export const TRUTH_DEFAULTS = {
  /** how long the other connections of the run's database may take to exit (and flush) */
  backendsExitMs: 10_000,
};

/** The database cannot give a complete account (a backend that never exits keeps its counts). */
export class TruthUnavailableError extends Error {}

export interface DbTruthSnapshot {
  tables: Record<string, TableCounters>;
  tuplesWritten: number;
}

/**
 * Reads tuple counters with a fresh connection. Callers close the pools that wrote first:
 * backends flush their pending statistics when they exit, not at every commit.
 */
export async function readTupleCounters(url: string): Promise<DbTruthSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await awaitOtherBackends(client);
    await client.query("SET stats_fetch_consistency = 'none'");
    await client.query('SELECT pg_stat_clear_snapshot()');
    const result = await client.query<{ relname: string; ins: string; upd: string; del: string; bytes: string }>(
      `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del, pg_total_relation_size(relid) AS bytes
       FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname`,
    );
    const tables: Record<string, TableCounters> = {};
    let tuplesWritten = 0;
    for (const row of result.rows) {
      const live = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${client.escapeIdentifier(row.relname)}`);
      const counters = { ins: Number(row.ins), upd: Number(row.upd), del: Number(row.del), bytes: Number(row.bytes), rows: Number(live.rows[0]?.n) };
      tables[row.relname] = counters;
      tuplesWritten += counters.ins + counters.upd + counters.del;
    }
    return { tables, tuplesWritten };
  } finally {
    await client.end();
  }
}

// the insert position, not the write position: with asynchronous commit the latter lags
export async function currentWalLsn(client: Pick<pg.Client, 'query'>): Promise<string> {
  const result = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return result.rows[0]!.lsn;
}

export async function walBytesBetween(client: Pick<pg.Client, 'query'>, from: string, to: string): Promise<number> {
  const result = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn) AS bytes', [from, to]);
  return Number(result.rows[0]!.bytes);
}

/**
 * Backends flush their pending statistics when they exit, not at every commit: wait for every
 * other connection to the database to go. One that stays would keep counts back, so the check
 * fails loudly rather than compare against a partial account.
 */
async function awaitOtherBackends(client: pg.Client): Promise<void> {
  const deadline = Date.now() + TRUTH_DEFAULTS.backendsExitMs;
  for (;;) {
    const others = await client.query<{ pid: number; application_name: string; state: string }>(
      'SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    if (others.rows.length === 0) return;
    if (Date.now() >= deadline) {
      const who = others.rows.slice(0, 5).map((row) => `pid ${row.pid} (${row.application_name || 'no name'}, ${row.state})`).join(', ');
      throw new TruthUnavailableError(
        `${others.rows.length} other connection(s) to the run's database still open after ${TRUTH_DEFAULTS.backendsExitMs / 1000} s (${who}): their statistics are not flushed, so the database cross-check cannot be made`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Per table, rows the query layer counted against the database's own ins + upd + del. */
export function compareTables(app: Readonly<Record<string, number>>, truth: DbTruthSnapshot): string[] {
  const mismatches: string[] = [];
  for (const table of [...new Set([...Object.keys(app), ...Object.keys(truth.tables)])].sort()) {
    const counters = truth.tables[table];
    const database = counters ? counters.ins + counters.upd + counters.del : 0;
    const counted = app[table] ?? 0;
    if (database !== counted) mismatches.push(`${table}: the query layer counted ${counted} rows written, Postgres ${database} tuples (${counters ? `${counters.ins} ins, ${counters.upd} upd, ${counters.del} del` : 'no such table'})`);
  }
  return mismatches;
}

/** The settings that change how much WAL the same statements make. */
export interface WalSettings {
  full_page_writes: string;
  synchronous_commit: string;
  wal_level: string;
}

export async function readWalSettings(client: Pick<pg.Client, 'query'>): Promise<WalSettings> {
  const result = await client.query<WalSettings>(
    "SELECT current_setting('full_page_writes') AS full_page_writes, current_setting('synchronous_commit') AS synchronous_commit, current_setting('wal_level') AS wal_level",
  );
  return result.rows[0]!;
}

/**
 * WAL written by the statements of this database alone (pg_stat_statements keeps it per
 * database), when the server loads the extension; undefined where it does not. Commit records
 * and background work (autovacuum, checkpoints) are not in it: the LSN difference has them.
 * `generation` changes whenever entries were dropped (evicted to make room, server-wide, or all
 * reset): a sum taken across that lost what the dropped entries held, so a difference over it
 * is not a figure.
 */
export async function databaseStatementWal(client: Pick<pg.Client, 'query'>): Promise<{ bytes: number; generation: string } | undefined> {
  try {
    const result = await client.query<{ bytes: string | null; generation: string | null }>(
      `SELECT (SELECT sum(wal_bytes) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS bytes,
         (SELECT dealloc || '@' || stats_reset FROM pg_stat_statements_info) AS generation`,
    );
    return { bytes: Number(result.rows[0]?.bytes ?? 0), generation: result.rows[0]?.generation ?? '' };
  } catch {
    return undefined;
  }
}

/** Makes `databaseStatementWal` available in this database when the server preloads the extension. */
export async function enableStatementWal(client: Pick<pg.Client, 'query'>): Promise<boolean> {
  try {
    const loaded = await client.query<{ preload: string }>("SELECT current_setting('shared_preload_libraries') AS preload");
    if (!/\bpg_stat_statements\b/.test(loaded.rows[0]?.preload ?? '')) return false;
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return true;
  } catch {
    return false;
  }
}

/** Transactions other databases of the server committed or rolled back (shared-server WAL noise). */
export async function otherDatabasesTransactions(client: Pick<pg.Client, 'query'>): Promise<number> {
  const result = await client.query<{ n: string | null }>(
    'SELECT sum(xact_commit + xact_rollback) AS n FROM pg_stat_database WHERE datname IS NOT NULL AND datname <> current_database()',
  );
  return Number(result.rows[0]?.n ?? 0);
}
