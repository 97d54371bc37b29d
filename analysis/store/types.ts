// The metrics store as the rest of chatbench sees it. Reports and gates read runs only through
// this interface (and the comparison queries built on `query`), never through a driver.
import type { RunResults, Sample } from '../results-schema.ts';
import type { SimulationRecord } from './simulations.ts';

export interface StoredRunSummary {
  runId: string;
  scenario: string;
  startedAt: string;
  params: Record<string, number | string | boolean>;
  seed: number;
  models: string[];
  gitSha: string;
  driver: string;
  sweepId?: string;
}

export interface StoredSimulationSummary {
  simulationId: string;
  workload: string;
  models: string[];
  calibrationGitSha: string;
  seed: number;
  storedAt: string;
}

export interface MetricsStore {
  /** 'chdb' or 'clickhouse' */
  readonly kind: string;
  /** Stores a run (results + raw samples) once: a run already present is left alone, returns false. */
  saveRun(results: RunResults, samples: AsyncIterable<Sample> | Iterable<Sample>): Promise<boolean>;
  hasRun(runId: string): Promise<boolean>;
  /** The results document exactly as it was stored. */
  getRun(runId: string): Promise<RunResults | undefined>;
  listRuns(filter?: { scenario?: string; limit?: number }): Promise<StoredRunSummary[]>;
  /** Stores a simulation document once under its id; one already present is left alone, returns false. */
  saveSimulation(document: SimulationRecord): Promise<boolean>;
  /** The simulation document exactly as stored. */
  getSimulation(simulationId: string): Promise<unknown>;
  listSimulations(): Promise<StoredSimulationSummary[]>;
  /** Arbitrary SQL over the store; rows as plain objects. */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /** From now on the store refuses every write (the engine's read-only setting): for user SQL. */
  readOnly(): Promise<void>;
  /** Deletes these runs (their runs, actions and samples rows); returns the ids that were stored. */
  deleteRuns(runIds: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** a ClickHouse server, e.g. http://127.0.0.1:8123 (else embedded chDB) */
  clickhouseUrl?: string;
  /** chDB data directory; default `.chatbench/store` in the working directory */
  dataDir?: string;
}
