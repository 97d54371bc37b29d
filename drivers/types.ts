// What a load driver is: something that executes a plan's phases against server URLs and brings
// back counts, errors, latency and the clients' final ticks. Node and k6 both implement it.
import type { Plan } from '../scenarios/plan.ts';
import type { RecordedLatency } from './recorder.ts';
import type { TickReport } from './client/fleet.ts';

export interface DriverContext {
  plan: Plan;
  model: string;
  cachesSettings: boolean;
  serverUrls: string[];
  secret: string;
  /** epoch ms; sample times are relative to it */
  runStart: number;
  /** awaited before each phase starts and after it ends (WAL marks, timeline resets) */
  onPhaseStart?(index: number): Promise<void>;
  onPhaseEnd?(index: number, actions: Record<string, number>): Promise<void>;
  progress?(line: string): void;
}

export interface DriverOutcome {
  actions: Record<string, number>;
  errors: Record<string, number>;
  latency: RecordedLatency[];
  ticks: TickReport;
  /** receipts matched across every process: those that never reached their sender */
  receipts: { missing: number; examples: string[] };
  phaseErrors: string[];
  /** clients whose socket dropped and who synced again elsewhere (a node lost mid-run) */
  recoveries?: { droppedAt: number; syncedAt: number }[];
  /** frames clients sent again after a failover, per action (their statements are in the action's figures) */
  resends?: Record<string, number>;
  generator: { processes: number; cpuMs: number; rssBytes: number };
}

/** What a driver started for a plan before any server exists; disposed after the run, used or not. */
export interface PreparedLoad {
  dispose(): Promise<void>;
}

export interface LoadDriver {
  id: string;
  /** undefined when usable here, else how to get it */
  unavailable(): Promise<string | undefined>;
  /**
   * Starts what executing `plan` needs that does not depend on the servers (load-generator
   * processes load their code), so it happens while the run's database is prepared and seeded.
   */
  prepare?(plan: Plan): PreparedLoad;
  /** `prepared`: what this driver's `prepare` returned for the same plan, if it was called */
  execute(context: DriverContext, prepared?: PreparedLoad): Promise<DriverOutcome>;
}

/** What every load-generator process is told, whichever driver: it rebuilds the plan from the first three. */
export interface GeneratorConfig {
  scenario: string;
  params: Record<string, number>;
  seed: number;
  model: string;
  cachesSettings: boolean;
  /** one URL per server node; clients are placed on them by scenarios/placement.ts */
  serverUrls: string[];
  secret: string;
}

export function generatorConfig(context: DriverContext): GeneratorConfig {
  const { plan, model, cachesSettings, serverUrls, secret } = context;
  return { scenario: plan.scenario, params: plan.params, seed: plan.seed, model, cachesSettings, serverUrls, secret };
}
