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
    // wait until every other backend of this database has exited and flushed
    for (let attempt = 0; attempt < 100; attempt++) {
      const others = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      if (Number(others.rows[0]?.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
