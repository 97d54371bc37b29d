// The two load drivers on one workload: group-1000 fan-out (300 members, 10 messages, watermark
// model), as delivered messages per CPU-second of the load generator and resident memory per
// simulated client. Node: its worker processes' CPU from process.cpuUsage and RSS at the end;
// k6: the k6 process's CPU and RSS from /proc, from the moment every VU is ready (so neither
// figure counts its runtime's start-up). Both run the same plan against the same server.
import { connectPostgres } from '../reference-server/db/postgres.ts';
import { MODELS } from '../reference-server/models/registry.ts';
import { SCENARIOS } from '../scenarios/registry.ts';
import { planClients } from '../scenarios/plan.ts';
import { runModel } from '../drivers/orchestrator.ts';
import { DRIVERS } from '../drivers/registry.ts';
import type { DriverOutcome, LoadDriver } from '../drivers/types.ts';
// Type-only: see ingest.bench.ts (importing run.ts for real from a bench file deadlocks).
import type { BenchFigure } from './run.ts';

export const name = 'k6-vs-node';

const PARAMS = {
  members: Number(process.env.CHATBENCH_BENCH_K6_MEMBERS ?? 300),
  messages: Number(process.env.CHATBENCH_BENCH_K6_MESSAGES ?? 10),
  rate: 5,
  readEvery: 5,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export default async function k6VsNode({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const plan = SCENARIOS['group-1000']!.plan(PARAMS as never, 1);
  const clients = planClients(plan).length;
  const figures: BenchFigure[] = [];
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  try {
    for (const driverId of ['node', 'k6']) {
      const driver = await DRIVERS[driverId]!();
      const missing = await driver.unavailable();
      if (missing) {
        log(`${driverId}: skipped (${missing})`);
        continue;
      }
      const perCpuSecond: number[] = [];
      const bytesPerClient: number[] = [];
      for (let run = 0; run < runs; run++) {
        let outcome: DriverOutcome | undefined;
        const capturing: LoadDriver = { ...driver, execute: async (context) => (outcome = await driver.execute(context)) };
        const { result } = await runModel({ model: MODELS.watermark!, plan, driver: capturing, pgAdminUrl: postgres.url, postgresEmbedded: postgres.embedded, nodes: 1, secret: 'bench-k6-vs-node' });
        const delivered = result.latency['latency.delivery']?.count ?? 0;
        if (!result.check.ticks_consistent || delivered !== PARAMS.messages * (PARAMS.members - 1)) {
          throw new Error(`${driverId}: the run is inconsistent (${delivered} deliveries; ${result.check.examples?.join('; ')})`);
        }
        const { cpuMs, rssBytes, processes } = outcome!.generator;
        perCpuSecond.push(delivered / (cpuMs / 1000));
        bytesPerClient.push(rssBytes / clients);
        log(`${driverId} run ${run + 1}: ${delivered} deliveries, ${cpuMs.toFixed(0)} ms CPU, ${(rssBytes / 2 ** 20).toFixed(1)} MiB RSS in ${processes} process(es), wall ${result.wallMs} ms`);
      }
      figures.push(
        { label: `${driverId}: delivered messages per generator CPU-second`, value: Math.round(median(perCpuSecond)), unit: 'msg/CPU-s', note: `group-1000, ${PARAMS.members} members, ${PARAMS.messages} messages` },
        { label: `${driverId}: generator RSS per simulated client`, value: Math.round(median(bytesPerClient) / 1024), unit: 'KiB/client', note: `${clients} clients` },
      );
    }
  } finally {
    await postgres.stop();
  }
  return figures;
}
