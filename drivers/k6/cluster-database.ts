// The database side of a cluster run, done by the coordinator (`chatbench k6 coordinate --pg-url`)
// because it is the one that sees the phase boundaries: the database's counters before the run,
// the model's migrations and the plan's population (counted as setup), each phase's WAL and bulk
// history. What it did goes into the coordinator record `k6 collect` reads.
import pg from 'pg';
import { migrate } from '../../reference-server/db/migrate.ts';
import { CountingDb } from '../../reference-server/db/query-layer.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { readTupleCounters, type DbTruthSnapshot } from '../../reference-server/db/truth.ts';
import type { ReceiptModel } from '../../reference-server/models/types.ts';
import type { Plan } from '../../scenarios/plan.ts';
import { phaseMarks, type PhaseMarks } from '../phase-marks.ts';

export class ClusterDatabase {
  private runStart = 0;
  readonly marks: PhaseMarks;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly admin: pg.Client,
    private readonly setup: CountingDb,
    readonly baseline: DbTruthSnapshot,
    plan: Plan,
    model: ReceiptModel,
  ) {
    this.marks = phaseMarks({ plan, model, admin, setup: setup.for('setup'), runStart: () => this.runStart });
  }

  /**
   * Reads the counters first (so nothing of this run is in them), then migrates and seeds. A
   * database that already holds users is refused: its rows would be counted against this run.
   */
  static async open(url: string, plan: Plan, model: ReceiptModel): Promise<ClusterDatabase> {
    const baseline = await readTupleCounters(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const admin = new pg.Client({ connectionString: url });
    try {
      await admin.connect();
      const setup = new CountingDb(pool);
      await migrate(setup.for('setup'), model);
      const users = await admin.query<{ n: string }>('SELECT count(*) AS n FROM users');
      if (Number(users.rows[0]?.n) > 0) throw new Error(`the database already holds ${users.rows[0]!.n} users: start every cluster run on a fresh database`);
      await seedPopulation(setup.for('setup'), { users: plan.users, conversations: plan.conversations });
      return new ClusterDatabase(pool, admin, setup, baseline, plan, model);
    } catch (error) {
      await admin.end().catch(() => {});
      await pool.end().catch(() => {});
      throw error;
    }
  }

  started(runStart: number): void {
    this.runStart = runStart;
  }

  get setupRowsWritten(): number {
    return this.setup.totalRowsWritten();
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
