// `chatbench k6 coordinate`: leads a cluster's k6 runners through a plan's phases (the barrier),
// and with a database, does what the orchestrator does on one machine between phases (WAL marks,
// bulk history) and writes the coordinator record `k6 collect` reads.
import type { ModelDefinition } from '../../reference-server/models/types.ts';
import type { Plan } from '../../scenarios/plan.ts';
import { ClusterDatabase } from './cluster-database.ts';
import { PhaseCoordinator } from './coordinator.ts';
import { postToNode, warmNode } from '../../reference-server/node-requests.ts';
import { warmPlaced } from '../phase-marks.ts';
import { COORDINATOR_FORMAT, httpUrlOf, metricsUrlOf, writeRunFile, type CoordinatorRecord } from './run-files.ts';

export const COORDINATE_DEFAULTS = {
  /** lead time so every runner's schedule starts at the same instant */
  startLeadMs: 200,
  /** lets the last answers leave before the server closes */
  lingerMs: 500,
  /** how long the nodes may take to see every runner's sockets close before their figures are read */
  nodesIdleMs: 15_000,
};

export interface CoordinateOptions {
  plan: Plan;
  vus: number;
  host: string;
  port: number;
  /** the model's database the server nodes use, the nodes, and where to write the record */
  database?: { url: string; model: ModelDefinition; out: string; servers: string[] };
  log(line: string): void;
  /** the listening URL, once known */
  listening?(url: string): void;
}

/** Returns the phases' errors (empty when every phase finished). */
export async function coordinateRun(options: CoordinateOptions): Promise<string[]> {
  const { plan, vus, log } = options;
  const servers = options.database?.servers ?? [];
  // the runners place clients on the servers in this order (scenarios/placement.ts)
  const warm = warmPlaced(plan, servers.map((server) => (userIds: number[]) => warmNode(httpUrlOf(server), userIds)));
  const drain = () => Promise.all(servers.map((server) => postToNode(httpUrlOf(server), '/drain', 'drain')));
  const database = options.database ? await ClusterDatabase.open(options.database.url, plan, options.database.model, drain, warm) : undefined;
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
    // the runners disconnect once released: the nodes' figures are read after that, as the
    // orchestrator reads them after its driver is done
    coordinator.releaseFinish();
    if (database && options.database) {
      const finishedAt = Date.now();
      const nodes = await idleFigures(options.database.servers, log);
      const record: CoordinatorRecord = {
        format: COORDINATOR_FORMAT,
        scenario: plan.scenario,
        params: plan.params,
        seed: plan.seed,
        model: options.database.model.id,
        vus,
        runStart: runStart ?? finishedAt,
        finishedAt,
        phases: database.marks.phases,
        phaseErrors,
        setup: database.setup(),
        baseline: database.baseline,
        wal: await database.walReport(),
        nodes,
      };
      writeRunFile(options.database.out, record);
      log(`wrote ${options.database.out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, COORDINATE_DEFAULTS.lingerMs));
    return phaseErrors;
  } finally {
    await coordinator.close();
    await database?.close();
  }
}

/** Each node's figures once it holds no connection (or after the wait, as they are then). */
async function idleFigures(servers: string[], log: (line: string) => void): Promise<{ url: string; figures: Record<string, unknown> }[]> {
  const deadline = Date.now() + COORDINATE_DEFAULTS.nodesIdleMs;
  return Promise.all(
    servers.map(async (url) => {
      for (;;) {
        const figures = await nodeFigures(url);
        const open = (figures.connections as { open?: number } | undefined)?.open ?? 0;
        if (open === 0) return { url, figures };
        if (Date.now() > deadline) {
          log(`${url} still holds ${open} connections; its figures are read as they are`);
          return { url, figures };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
}


async function nodeFigures(serverUrl: string): Promise<Record<string, unknown>> {
  const url = metricsUrlOf(serverUrl);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`server node ${url}: not reachable (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!response.ok) throw new Error(`server node ${url}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
