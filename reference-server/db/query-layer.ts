// The one door every model statement goes through. Each statement is attributed to the action
// that caused it and counted from its own result: rows written for statements that write,
// rows returned for statements that read. Nothing is estimated.
import type pg from 'pg';
import type { ActionKind } from '../../analysis/metric-names.ts';

// `setup` (migrations, seeding) and `check` (post-run verification) are not user actions but
// still count, so the database cross-check balances
export type Attribution = ActionKind | 'setup' | 'check';

export interface ActionCounters {
  statements: number;
  rowsWritten: number;
  rowsRead: number;
}

export type StatementKind = 'read' | 'write';

/** What a model sees: queries already bound to an action. */
export interface ActionDb {
  readonly action: Attribution;
  /** a SELECT: rowCount counts as rows read */
  read<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** an INSERT/UPDATE/DELETE (RETURNING allowed): rowCount counts as rows written */
  write<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /**
   * A statement that writes in several places (data-modifying CTEs): rowCount would count only
   * the outer statement, so the statement reports its own total in a `rows_written` column.
   */
  writeReported<Row extends pg.QueryResultRow & { rows_written: string | number }>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** the same connection and counters, attributed to another action */
  as(action: Attribution): ActionDb;
  /** runs `work` in one transaction on one connection, attributed like this handle */
  transaction<T>(work: (db: ActionDb) => Promise<T>): Promise<T>;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export class CountingDb {
  private readonly counters = new Map<Attribution, ActionCounters>();

  constructor(private readonly pool: pg.Pool) {}

  for(action: Attribution): ActionDb {
    return this.handle(this.pool, action);
  }

  snapshot(): Record<string, ActionCounters> {
    return Object.fromEntries([...this.counters].map(([action, counters]) => [action, { ...counters }]));
  }

  totalRowsWritten(): number {
    let total = 0;
    for (const counters of this.counters.values()) total += counters.rowsWritten;
    return total;
  }

  private count(action: Attribution, kind: StatementKind, rowCount: number): void {
    let counters = this.counters.get(action);
    if (!counters) this.counters.set(action, (counters = { statements: 0, rowsWritten: 0, rowsRead: 0 }));
    counters.statements += 1;
    if (kind === 'write') counters.rowsWritten += rowCount;
    else counters.rowsRead += rowCount;
  }

  private handle(target: Queryable, action: Attribution): ActionDb {
    const run = async (kind: StatementKind, sql: string, params?: unknown[]) => {
      try {
        const result = await target.query(sql, params);
        this.count(action, kind, result.rowCount ?? 0);
        return result;
      } catch (error) {
        // a failed statement still ran: it counts, with no rows
        this.count(action, kind, 0);
        throw error;
      }
    };
    const handle: ActionDb = {
      action,
      read: async (sql, params) => (await run('read', sql, params)).rows,
      write: async (sql, params) => {
        const result = await run('write', sql, params);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
      writeReported: async (sql, params) => {
        let rows: pg.QueryResultRow[] = [];
        try {
          rows = (await target.query(sql, params)).rows;
        } finally {
          this.count(action, 'write', rows.reduce((sum, row) => sum + Number(row.rows_written ?? 0), 0));
        }
        return rows as never;
      },
      as: (other) => this.handle(target, other),
      transaction: async (work) => {
        if (!('connect' in this.pool) || target !== this.pool) return work(handle);
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work(this.handle(client, action));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      },
    };
    return handle;
  }
}
