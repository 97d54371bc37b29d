// `chatbench k6 coordinate`: leads a cluster's k6 runners through a plan's phases (the barrier),
// and with a database, does what the orchestrator does on one machine between phases (WAL marks,
// bulk history) and writes the coordinator record `k6 collect` reads.
import type { ReceiptModel } from '../../reference-server/models/types.ts';
import type { Plan } from '../../scenarios/plan.ts';
import { ClusterDatabase } from './cluster-database.ts';
import { PhaseCoordinator } from './coordinator.ts';
import { COORDINATOR_FORMAT, writeRunFile, type CoordinatorRecord } from './run-files.ts';

export const COORDINATE_DEFAULTS = {
  /** lead time so every runner's schedule starts at the same instant */
  startLeadMs: 200,
  /** lets the last answers leave before the server closes */
  lingerMs: 500,
};

export interface CoordinateOptions {
  plan: Plan;
  vus: number;
  host: string;
  port: number;
  /** the model's database the server nodes use, and where to write the record */
  database?: { url: string; model: ReceiptModel; out: string };
  log(line: string): void;
  /** the listening URL, once known */
  listening?(url: string): void;
}

/** Returns the phases' errors (empty when every phase finished). */
export async function coordinateRun(options: CoordinateOptions): Promise<string[]> {
  const { plan, vus, log } = options;
  const database = options.database ? await ClusterDatabase.open(options.database.url, plan, options.database.model) : undefined;
  const coordinator = new PhaseCoordinator(vus, { host: options.host, port: options.port });
  const phaseErrors: string[] = [];
  try {
    const url = await coordinator.listen();
    log(`coordinating ${vus} VUs through ${plan.phases.length} phases at ${url}${database ? `, database seeded with ${plan.users.length} users` : ''}`);
    options.listening?.(url);
    let runStart: number | undefined;
    for (const [index, phase] of plan.phases.entries()) {
      await coordinator.arrived(index);
      if (runStart === undefined) database?.started((runStart = Date.now()));
      await database?.marks.onPhaseStart(index);
      log(`phase ${index + 1} "${phase.name}": started`);
      coordinator.release(index, Date.now() + COORDINATE_DEFAULTS.startLeadMs);
      const report = await coordinator.done(index);
      await database?.marks.onPhaseEnd(index, report.actions);
      log(`phase ${index + 1}: done ${JSON.stringify(report.actions)}`);
      if (report.errors.length) {
        phaseErrors.push(...report.errors);
        coordinator.stop();
        log(`phase ${index + 1} failed: ${report.errors.slice(0, 5).join('; ')}`);
        break;
      }
    }
    await coordinator.finishing();
    if (database && options.database) {
      const record: CoordinatorRecord = {
        format: COORDINATOR_FORMAT,
        scenario: plan.scenario,
        params: plan.params,
        seed: plan.seed,
        model: options.database.model.id,
        vus,
        runStart: runStart ?? Date.now(),
        finishedAt: Date.now(),
        phases: database.marks.phases,
        phaseErrors,
        setupRowsWritten: database.setupRowsWritten,
        baseline: database.baseline,
      };
      writeRunFile(options.database.out, record);
      log(`wrote ${options.database.out}`);
    }
    coordinator.releaseFinish();
    await new Promise((resolve) => setTimeout(resolve, COORDINATE_DEFAULTS.lingerMs));
    return phaseErrors;
  } finally {
    await coordinator.close();
    await database?.close();
  }
}
