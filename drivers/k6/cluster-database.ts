// The database side of a cluster run, done by the coordinator (`chatbench k6 coordinate --pg-url`)
// because it is the one that sees the phase boundaries: the database's counters before the run,
// the model's migrations and the plan's population (counted as setup), each phase's bulk history
// and WAL (setup kept apart, as on one machine: drivers/wal-meter.ts). What it did goes into the
// coordinator record `k6 collect` reads.
import pg from 'pg';
import { migrate } from '../../reference-server/db/migrate.ts';
import { CountingDb, type ActionCounters } from '../../reference-server/db/query-layer.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { readTupleCounters, type DbTruthSnapshot } from '../../reference-server/db/truth.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { standaloneContext, type ModelDefinition } from '../../reference-server/models/types.ts';
import type { Plan } from '../../scenarios/plan.ts';
import { phaseMarks, type PhaseMarks } from '../phase-marks.ts';
import { WalMeter, type WalReport } from '../wal-meter.ts';

export class ClusterDatabase {
  private runStart = 0;
  readonly marks: PhaseMarks;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly admin: pg.Client,
    private readonly wal: WalMeter,
    private readonly counting: CountingDb,
    readonly baseline: DbTruthSnapshot,
    plan: Plan,
    model: ModelDefinition,
    drain: () => Promise<unknown>,
    warm: (userIds: number[]) => Promise<unknown>,
  ) {
    // bulk history through an instance of its own, at the model's default options
    const instance = model.create(standaloneContext(counting, defaultOptions(model.id)));
    this.marks = phaseMarks({ plan, model: instance, wal, setup: counting.for('setup'), runStart: () => this.runStart, drain, warm });
  }

  /**
   * Reads the counters first (so nothing of this run is in them: start the coordinator before
   * the nodes, whose connections would keep the reading from being complete), then migrates and
   * seeds. A database that already holds users is refused: its rows would count against the run.
   */
  static async open(
    url: string,
    plan: Plan,
    model: ModelDefinition,
    drain: () => Promise<unknown> = async () => {},
    warm: (userIds: number[]) => Promise<unknown> = async () => {},
  ): Promise<ClusterDatabase> {
    const baseline = await readTupleCounters(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const admin = new pg.Client({ connectionString: url, application_name: 'chatbench-coordinator' });
    // a database of its own on a server that may be shared: the WAL figures say so
    const wal = new WalMeter(admin, false);
    try {
      await admin.connect();
      await wal.beginSetup();
      const counting = new CountingDb(pool);
      await migrate(counting.for('setup'), model);
      const users = await admin.query<{ n: string }>('SELECT count(*) AS n FROM users');
      if (Number(users.rows[0]?.n) > 0) throw new Error(`the database already holds ${users.rows[0]!.n} users: start every cluster run on a fresh database`);
      await seedPopulation(counting.for('setup'), { users: plan.users, conversations: plan.conversations });
      await wal.setupDone(url);
      return new ClusterDatabase(pool, admin, wal, counting, baseline, plan, model, drain, warm);
    } catch (error) {
      await wal.close();
      await admin.end().catch(() => {});
      await pool.end().catch(() => {});
      throw error;
    }
  }

  started(runStart: number): void {
    this.runStart = runStart;
  }

  /** what the coordinator wrote, per action and table */
  setup(): Record<string, ActionCounters> {
    return this.counting.snapshot();
  }

  walReport(): Promise<WalReport> {
    return this.wal.report();
  }

  async close(): Promise<void> {
    await this.wal.close();
    await this.admin.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
