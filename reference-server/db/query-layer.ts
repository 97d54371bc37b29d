// The one door every model statement goes through. Each statement is attributed to the action
// that caused it and counted from its own result: rows written for statements that write (per
// table, so the database's per-table counters can check them), rows returned for statements that
// read. Nothing is estimated.
import type pg from 'pg';
import type { ActionKind } from '../../analysis/metric-names.ts';
import { writeTargets } from './write-targets.ts';

// `setup` (migrations, seeding) and `check` (post-run verification) are not user actions but
// still count, so the database cross-check balances
export type Attribution = ActionKind | 'setup' | 'check';

export interface ActionCounters {
  statements: number;
  rowsWritten: number;
  rowsRead: number;
  /** explicit transactions (each one a BEGIN and a COMMIT or ROLLBACK, not in `statements`) */
  transactions: number;
  /** rows written per table */
  tables: Record<string, number>;
  /** wall time from sending each statement to its result, summed: the database time the simulator prices (absent in counters read back from k6 runner files) */
  timeMs?: number;
}

export type StatementKind = 'read' | 'write';

/** What a model sees: queries already bound to an action. */
export interface ActionDb {
  readonly action: Attribution;
  /** a SELECT: rowCount counts as rows read */
  read<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Row[]>;
  /**
   * An INSERT/UPDATE/DELETE on one table (RETURNING allowed, and a data-modifying CTE whose outer
   * SELECT returns one row per row written): rowCount counts as rows written to that table.
   */
  write<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /**
   * A statement that writes to several tables (data-modifying CTEs): rowCount would count only the
   * outer statement, so the statement reports its own rows per table in `written_<table>` columns.
   */
  writeReported<Row extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** DDL (migrations): counted as a statement, writes no rows to any table */
  schema(sql: string): Promise<void>;
  /** the same connection and counters, attributed to another action */
  as(action: Attribution): ActionDb;
  /** runs `work` in one transaction on one connection, attributed like this handle */
  transaction<T>(work: (db: ActionDb) => Promise<T>): Promise<T>;
}

/** A handle for code that promised to issue no statement: any statement fails, naming the promise. */
export function refusingStatements(db: ActionDb, promise: string): ActionDb {
  const refuse = async (): Promise<never> => {
    throw new Error(`a statement where none may run (${promise})`);
  };
  const handle: ActionDb = { action: db.action, read: refuse, write: refuse, writeReported: refuse, schema: refuse, as: () => handle, transaction: refuse };
  return handle;
}

/** Hands out handles bound to an action: the whole database, or one audited frame's transaction. */
export interface DbScope {
  for(action: Attribution): ActionDb;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Rows written per action per table, where an audit keeps its own tally beside the counters. */
export type WriteTally = Map<Attribution, Map<string, number>>;

interface HandleTarget {
  query: Queryable;
  /** how `transaction()` runs: a fresh pooled connection, or a savepoint inside an audit */
  transaction: <T>(action: Attribution, work: (target: HandleTarget) => Promise<T>) => Promise<T>;
  tally?: WriteTally;
}

const REPORTED_PREFIX = 'written_';

export class CountingDb implements DbScope {
  private readonly counters = new Map<Attribution, ActionCounters>();
  private readonly poolTarget: HandleTarget;

  constructor(private readonly pool: pg.Pool) {
    this.poolTarget = {
      query: pool,
      transaction: async (action, work) => {
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work(this.clientTarget(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          this.counterOf(action).transactions += 1;
          client.release();
        }
      },
    };
  }

  for(action: Attribution): ActionDb {
    return this.handle(this.poolTarget, action);
  }

  snapshot(): Record<string, ActionCounters> {
    return Object.fromEntries([...this.counters].map(([action, counters]) => [action, { ...counters, tables: { ...counters.tables } }]));
  }

  totalRowsWritten(): number {
    let total = 0;
    for (const counters of this.counters.values()) total += counters.rowsWritten;
    return total;
  }

  /**
   * Handles on one connection already inside a transaction (an audit's), while `open()` says so;
   * nested transactions are savepoints. Once the audit has committed, the same handles (a handler
   * may keep one across its first reply) go to the pool like any other.
   */
  scopeOn(client: pg.PoolClient, tally: WriteTally, open: () => boolean): DbScope {
    const inTransaction = this.clientTarget(client, tally);
    const target: HandleTarget = {
      query: { query: ((sql: string, params?: unknown[]) => (open() ? client.query(sql, params) : this.pool.query(sql, params))) as pg.Pool['query'] },
      get tally() {
        return open() ? tally : undefined;
      },
      transaction: (action, work) => (open() ? inTransaction.transaction(action, work) : this.poolTarget.transaction(action, work)),
    };
    return { for: (action) => this.handle(target, action) };
  }

  private clientTarget(client: pg.PoolClient, tally?: WriteTally): HandleTarget {
    const target: HandleTarget = {
      query: client,
      ...(tally ? { tally } : {}),
      transaction: async (action, work) => {
        // inside an audit's transaction: the model's transaction is a savepoint, counted as the
        // transaction the model asked for
        try {
          await client.query('SAVEPOINT model_transaction');
          const result = await work(target);
          await client.query('RELEASE SAVEPOINT model_transaction');
          return result;
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT model_transaction').catch(() => {});
          throw error;
        } finally {
          this.counterOf(action).transactions += 1;
        }
      },
    };
    return target;
  }

  private counterOf(action: Attribution): ActionCounters {
    let counters = this.counters.get(action);
    if (!counters) this.counters.set(action, (counters = { statements: 0, rowsWritten: 0, rowsRead: 0, transactions: 0, tables: {}, timeMs: 0 }));
    return counters;
  }

  private countRead(action: Attribution, rows: number, ms: number): void {
    const counters = this.counterOf(action);
    counters.statements += 1;
    counters.rowsRead += rows;
    counters.timeMs = (counters.timeMs ?? 0) + ms;
  }

  private countWrite(target: HandleTarget, action: Attribution, written: Iterable<[string, number]>, ms: number): void {
    const counters = this.counterOf(action);
    counters.statements += 1;
    counters.timeMs = (counters.timeMs ?? 0) + ms;
    let tally = target.tally?.get(action);
    if (target.tally && !tally) target.tally.set(action, (tally = new Map()));
    for (const [table, rows] of written) {
      if (rows === 0) continue;
      counters.rowsWritten += rows;
      counters.tables[table] = (counters.tables[table] ?? 0) + rows;
      tally?.set(table, (tally.get(table) ?? 0) + rows);
    }
  }

  /**
   * Runs one statement, timing it from the moment a connection is ours: what pool.query does, with
   * the wait for a free connection left out, so the time is the statement's own.
   */
  private async run(target: HandleTarget, sql: string, params: unknown[] | undefined, clock: { ms: number }): Promise<pg.QueryResult> {
    const client = target.query === this.pool && 'connect' in this.pool ? await this.pool.connect() : undefined;
    const started = performance.now();
    try {
      const result = await (client ?? target.query).query(params ? prepared(sql, params) : sql);
      client?.release();
      return result;
    } catch (error) {
      client?.release(error as Error);
      throw error;
    } finally {
      clock.ms = performance.now() - started;
    }
  }

  private handle(target: HandleTarget, action: Attribution): ActionDb {
    const handle: ActionDb = {
      action,
      read: async (sql, params) => {
        let rows = 0;
        const clock = { ms: 0 };
        try {
          const result = await this.run(target, sql, params, clock);
          rows = result.rowCount ?? 0;
          return result.rows;
        } finally {
          // a failed statement still ran: it counts, with no rows
          this.countRead(action, rows, clock.ms);
        }
      },
      write: async (sql, params) => {
        const table = singleWriteTarget(sql);
        let rowCount = 0;
        const clock = { ms: 0 };
        try {
          const result = await this.run(target, sql, params, clock);
          rowCount = result.rowCount ?? 0;
          return { rows: result.rows, rowCount };
        } finally {
          this.countWrite(target, action, [[table, rowCount]], clock.ms);
        }
      },
      writeReported: async (sql, params) => {
        let rows: pg.QueryResultRow[] = [];
        const clock = { ms: 0 };
        try {
          rows = (await this.run(target, sql, params, clock)).rows;
        } finally {
          this.countWrite(target, action, reportedRows(rows), clock.ms);
        }
        return rows as never;
      },
      schema: async (sql) => {
        const clock = { ms: 0 };
        try {
          await this.run(target, sql, undefined, clock);
        } finally {
          this.countWrite(target, action, [], clock.ms);
        }
      },
      as: (other) => this.handle(target, other),
      transaction: (work) => target.transaction(action, (inner) => work(this.handle(inner, action))),
    };
    return handle;
  }
}

function singleWriteTarget(sql: string): string {
  const tables = writeTargets(sql);
  if (tables.length !== 1) {
    throw new Error(
      tables.length === 0
        ? `write(): no INSERT INTO, UPDATE or DELETE FROM table found in: ${sql.trim().slice(0, 80)}`
        : `write(): the statement writes to ${tables.join(', ')}; use writeReported() with a ${REPORTED_PREFIX}<table> column per table`,
    );
  }
  return tables[0]!;
}

function* reportedRows(rows: pg.QueryResultRow[]): Iterable<[string, number]> {
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (column.startsWith(REPORTED_PREFIX)) yield [column.slice(REPORTED_PREFIX.length), Number(value ?? 0)];
    }
  }
}

const statementNames = new Map<string, string>();

/**
 * A parameterised statement as a named prepared statement: each connection parses and plans it
 * once, not on every execution (the server's hot statements run thousands of times a second).
 * Postgres re-plans a prepared statement when its tables' statistics change (ANALYZE), so the
 * plans stay those a fresh statement would get.
 */
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    // a model building its SQL per call (a third-party module) would prepare without end on
    // every connection: past this many distinct texts, statements run unnamed as before
    if (statementNames.size >= MAX_PREPARED_STATEMENTS) return { text, values };
    statementNames.set(text, (name = `cb${statementNames.size + 1}`));
  }
  return { name, text, values };
}

const MAX_PREPARED_STATEMENTS = 256;
