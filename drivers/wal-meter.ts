// WAL over one model's run: setup (creating, migrating and seeding the database, bulk history
// imports, ANALYZE) kept apart from the scenario's phases, the server settings that change how
// much WAL the same statements make, and where the server allows it, the WAL of the run's own
// database's statements beside the server-wide LSN difference.
import { tolerateIdleErrors } from '../reference-server/db/connection-loss.ts';
import pg from 'pg';
import {
  currentWalLsn,
  databaseStatementWal,
  enableStatementWal,
  otherDatabasesTransactions,
  readWalSettings,
  walBytesBetween,
  type WalSettings,
} from '../reference-server/db/truth.ts';

// What setup leaves must be settled before a phase is timed: fresh statistics (plans depend on
// them), and the maintenance autovacuum would otherwise start on the tables seeding or a bulk
// import just filled, in the middle of the next phase. It did: a 5,000-user storm started right
// after a bulk import synced at p50 3.3 s (watermark), 2.0 s when the same run waited 10 s first.
const SETTLE = 'VACUUM ANALYZE';

export interface WalReport extends WalSettings {
  /** what `wal_bytes` covers: the LSN difference of the whole server over the phases */
  scope: 'server';
  /** an embedded server runs nothing but this run; a shared one may carry others' WAL */
  server: 'embedded' | 'shared';
  /** WAL of setup: database creation, migrations, seeding, bulk history, VACUUM ANALYZE */
  setup_bytes: number;
  /** WAL of this database's own statements over the phases (pg_stat_statements); null where unavailable */
  database_statement_bytes: number | null;
  /** transactions other databases of the server ran during the phases (their WAL is in `wal_bytes`) */
  other_databases_transactions: number;
  /**
   * a shared server that cannot say its databases apart: the WAL it wrote per second while this
   * run was idle, measured before the phases, against which `wal_bytes` can be read
   */
  idle_baseline_bytes_per_s?: number;
}

export const WAL_METER_DEFAULTS = {
  /** how long a shared server without per-database statement WAL is watched idle */
  idleBaselineMs: 1000,
};

export class WalMeter {
  private setupBytes = 0;
  private setupMark = '';
  private phaseMark = '';
  private phaseStatementMark: { bytes: number; generation: string } | undefined;
  private statementBytes: number | null = 0;
  private othersAtStart = 0;
  private idleBaseline: number | undefined;
  private settings: WalSettings | undefined;
  private client: pg.Client | undefined;

  constructor(
    private readonly admin: pg.Client,
    private readonly embedded: boolean,
  ) {}

  /** Before the database exists: everything until `setupDone` is setup. */
  async beginSetup(): Promise<void> {
    this.settings = await readWalSettings(this.admin);
    this.setupMark = await currentWalLsn(this.admin);
  }

  /**
   * After the database is created and seeded: refreshes the planner's statistics (a freshly
   * seeded table looks empty to it, and the reconnect query then scans whole tables), then closes
   * the setup mark. `databaseUrl` is the run's database, where statement WAL is read.
   */
  async setupDone(databaseUrl: string): Promise<void> {
    this.client = tolerateIdleErrors(new pg.Client({ connectionString: databaseUrl, application_name: 'chatbench-wal-meter' }));
    await this.client.connect();
    if (!(await enableStatementWal(this.client))) this.statementBytes = null;
    await this.client.query(SETTLE);
    this.setupBytes += await walBytesBetween(this.client, this.setupMark, await currentWalLsn(this.client));
    if (this.statementBytes === null && !this.embedded) {
      const mark = await currentWalLsn(this.client);
      await new Promise((resolve) => setTimeout(resolve, WAL_METER_DEFAULTS.idleBaselineMs));
      const idle = await walBytesBetween(this.client, mark, await currentWalLsn(this.client));
      this.idleBaseline = Math.round((idle * 1000) / WAL_METER_DEFAULTS.idleBaselineMs);
    }
    this.othersAtStart = await otherDatabasesTransactions(this.client);
  }

  // from here on every reading goes through the run's own database, so the readings themselves
  // are not transactions of another database
  private get reader(): pg.Client {
    return this.client ?? this.admin;
  }

  /** Setup work in the middle of the run (a bulk history import before a phase), settled like seeding. */
  async setup(work: () => Promise<void>): Promise<void> {
    const mark = await currentWalLsn(this.reader);
    await work();
    await this.client?.query(SETTLE);
    this.setupBytes += await walBytesBetween(this.reader, mark, await currentWalLsn(this.reader));
  }

  async phaseStart(): Promise<void> {
    this.phaseMark = await currentWalLsn(this.reader);
    this.phaseStatementMark = this.statementBytes === null || !this.client ? undefined : await databaseStatementWal(this.client);
  }

  /** The phase's server-wide WAL bytes, and its own database's statement WAL where known. */
  async phaseEnd(): Promise<{ wal_bytes: number; database_statement_wal_bytes?: number }> {
    const wal = await walBytesBetween(this.reader, this.phaseMark, await currentWalLsn(this.reader));
    if (this.phaseStatementMark === undefined || this.statementBytes === null || !this.client) return { wal_bytes: wal };
    const statements = await databaseStatementWal(this.client);
    // the extension dropped entries during the phase (evicted for room on a server with many
    // databases, as a test suite's, or reset): what they held is gone from the sum, so the
    // run's statement WAL is unknown, never a wrong or negative figure
    if (statements === undefined || statements.generation !== this.phaseStatementMark.generation) {
      this.statementBytes = null;
      return { wal_bytes: wal };
    }
    const own = statements.bytes - this.phaseStatementMark.bytes;
    this.statementBytes += own;
    return { wal_bytes: wal, database_statement_wal_bytes: own };
  }

  /** Read before `close` (the cross-check needs the run's database to itself). */
  async report(): Promise<WalReport> {
    const others = (await otherDatabasesTransactions(this.reader)) - this.othersAtStart;
    return {
      scope: 'server',
      server: this.embedded ? 'embedded' : 'shared',
      ...this.settings!,
      setup_bytes: this.setupBytes,
      database_statement_bytes: this.statementBytes,
      other_databases_transactions: Math.max(0, others),
      ...(this.idleBaseline === undefined ? {} : { idle_baseline_bytes_per_s: this.idleBaseline }),
    };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }
}
