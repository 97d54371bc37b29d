// The per-action half of the database cross-check. Postgres keeps per-table tuple counters per
// transaction (pg_stat_xact_user_tables), so a frame run inside one transaction tells, from the
// database itself, how many rows that frame wrote to each table. The audit runs a sample of frames
// that way (the first of each action kind on a node, then one in `every`) and compares Postgres's
// figures with what the query layer attributed to the actions the server bound for that frame.
// A statement a model re-attributes (`db.as(...)`) to another action, a row counted against the
// wrong table, or two errors that cancel out in the run's totals all show here.
import type pg from 'pg';
import type { ActionKind } from '../../analysis/metric-names.ts';
import type { Attribution, CountingDb, DbScope, WriteTally } from './query-layer.ts';

export const AUDIT_DEFAULTS = {
  /** after the first frame of each action kind, audit one frame in this many (0: never audit) */
  every: 50,
  /** mismatch descriptions kept (the count is always exact) */
  examples: 10,
};

export interface AuditReport {
  /** frames audited, per action kind */
  frames: Record<string, number>;
  mismatches: number;
  examples: string[];
}

export interface AuditedFrame {
  /** handles for the frame's statements, all in its transaction */
  scope: DbScope;
  /** compares and commits; idempotent; rejects when the commit failed (nothing was stored) */
  finish(): Promise<void>;
}

export class AttributionAudit {
  private readonly seen = new Map<ActionKind, number>();
  private readonly frames: Record<string, number> = {};
  private mismatches = 0;
  private readonly examples: string[] = [];

  constructor(
    private readonly db: CountingDb,
    private readonly pool: pg.Pool,
    private readonly every: number = AUDIT_DEFAULTS.every,
  ) {}

  /** Should this frame of `origin` run audited? The first of each kind, then one in `every`. */
  wants(origin: ActionKind): boolean {
    if (this.every <= 0) return false;
    const n = this.seen.get(origin) ?? 0;
    this.seen.set(origin, n + 1);
    return n % this.every === 0;
  }

  /**
   * Opens one frame's audited transaction. The frame's statements run through `scope`; `finish`
   * (at the frame's first output, or its end) reads Postgres's per-table counts and commits, so
   * nothing the frame sends can reach anyone before what it wrote is committed.
   */
  async begin(origin: ActionKind): Promise<AuditedFrame> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // the view also holds this backend's counts from earlier transactions that are not flushed
      // yet (flushes wait for an idle backend, never inside a transaction block): subtract them
      const before = await xactWrites(client);
      const tally: WriteTally = new Map();
      const bound = new Set<Attribution>();
      let finished: Promise<void> | undefined;
      const inner = this.db.scopeOn(client, tally, () => finished === undefined);
      return {
        scope: {
          for: (action) => {
            if (finished === undefined) bound.add(action);
            return inner.for(action);
          },
        },
        finish: () =>
          (finished ??= (async () => {
            let failed: Error | undefined;
            try {
              const after = await xactWrites(client);
              // COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error
              const commit = await client.query('COMMIT');
              if (commit.command === 'ROLLBACK') throw new Error('current transaction is aborted: the audited frame was rolled back');
              this.frames[origin] = (this.frames[origin] ?? 0) + 1;
              const written = new Map<string, number>();
              for (const [table, n] of after) if (n !== (before.get(table) ?? 0)) written.set(table, n - (before.get(table) ?? 0));
              this.compare(origin, written, tally, bound);
            } catch (error) {
              // a statement of the frame failed and aborted the transaction: what it wrote is
              // undone, as a failed statement's work would be; nothing to compare
              failed = error as Error;
              await client.query('ROLLBACK').catch(() => {});
            } finally {
              client.release(failed && !/current transaction is aborted/.test(failed.message) ? failed : undefined);
            }
            // nothing the frame wrote is stored: its held answers (acks) must not go out
            if (failed) throw failed;
          })()),
      };
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  report(): AuditReport {
    return { frames: { ...this.frames }, mismatches: this.mismatches, examples: [...this.examples] };
  }

  private compare(origin: ActionKind, postgres: Map<string, number>, tally: WriteTally, bound: Set<Attribution>): void {
    const attributed = new Map<string, number>();
    const problems: string[] = [];
    for (const [action, tables] of tally) {
      for (const [table, rows] of tables) {
        if (bound.has(action)) attributed.set(table, (attributed.get(table) ?? 0) + rows);
        else problems.push(`${rows} row(s) of ${table} re-attributed to ${action}`);
      }
    }
    for (const table of new Set([...postgres.keys(), ...attributed.keys()])) {
      const truth = postgres.get(table) ?? 0;
      const counted = attributed.get(table) ?? 0;
      if (truth !== counted) problems.push(`${table}: Postgres counts ${truth} row(s) written, the query layer ${counted}`);
    }
    if (problems.length === 0) return;
    this.mismatches += 1;
    if (this.examples.length < AUDIT_DEFAULTS.examples) this.examples.push(`${origin} frame (bound to ${[...bound].join(', ') || 'nothing'}): ${problems.join('; ')}`);
  }
}

/**
 * Rows this backend wrote per table and has not flushed to the shared statistics yet. The
 * functions behind pg_stat_xact_user_tables, called for the public schema's tables alone and
 * prepared once per connection: the view itself costs Postgres about 1.2 ms a call (two thirds of
 * it planning), which at two calls per audited frame came to a sixth of the send path's database
 * time, and the audit must not be what a run measures.
 */
const XACT_WRITES: pg.QueryConfig = {
  name: 'chatbench_audit_xact_writes',
  text: `SELECT relname, n FROM (
       SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
         + pg_stat_get_xact_tuples_deleted(c.oid) AS n
       FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')
     ) tables WHERE n > 0`,
};

async function xactWrites(client: pg.PoolClient): Promise<Map<string, number>> {
  const result = await client.query<{ relname: string; n: string }>(XACT_WRITES);
  return new Map(result.rows.map((row) => [row.relname, Number(row.n)]));
}
