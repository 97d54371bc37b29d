// The two load drivers on one workload: group-1000 fan-out (300 members, 10 messages, watermark
// model), as delivered messages per CPU-second of the load generator and memory per added
// simulated client (RSS at 1,000 members minus at 300, marginal, so a runtime's fixed start-up
// size is not spread over the clients). Drivers run interleaved, round after round. Node: its worker processes' CPU from process.cpuUsage and RSS at the end;
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
import { median } from './stats.ts';

export const name = 'k6-vs-node';

const PARAMS = {
  members: Number(process.env.CHATBENCH_BENCH_K6_MEMBERS ?? 300),
  messages: Number(process.env.CHATBENCH_BENCH_K6_MESSAGES ?? 10),
  rate: 5,
  readEvery: 5,
};
/** the second size, for memory per added client (marginal, not gross) */
const LARGER_MEMBERS = Number(process.env.CHATBENCH_BENCH_K6_LARGER_MEMBERS ?? 1000);

export default async function k6VsNode({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const plan = SCENARIOS['group-1000']!.plan(PARAMS as never, 1);
  const clients = planClients(plan).length;
  const figures: BenchFigure[] = [];
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  const larger = SCENARIOS['group-1000']!.plan({ ...PARAMS, members: LARGER_MEMBERS } as never, 1);
  try {
    const drivers: [string, LoadDriver][] = [];
    for (const driverId of ['node', 'k6']) {
      const driver = await DRIVERS[driverId]!();
      const missing = await driver.unavailable();
      if (missing) log(`${driverId}: skipped (${missing})`);
      else drivers.push([driverId, driver]);
    }
    const perCpuSecond: Record<string, number[]> = {};
    const rss: Record<string, { small: number[]; large: number[] }> = {};
    /** one run of `runPlan` through `driver`: deliveries per CPU-second and the generator's RSS */
    const measure = async (driverId: string, driver: LoadDriver, runPlan: typeof plan, members: number) => {
      let outcome: DriverOutcome | undefined;
      const capturing: LoadDriver = { ...driver, execute: async (context, prepared) => (outcome = await driver.execute(context, prepared)) };
      const { result } = await runModel({ model: MODELS.watermark!, plan: runPlan, driver: capturing, pgAdminUrl: postgres.url, postgresEmbedded: postgres.embedded, nodes: 1, secret: 'bench-k6-vs-node' });
      const delivered = result.latency['latency.delivery']?.count ?? 0;
      if (!result.check.ticks_consistent || delivered !== PARAMS.messages * (members - 1)) {
        throw new Error(`${driverId}: the run is inconsistent (${delivered} deliveries; ${result.check.examples?.join('; ')})`);
      }
      const { cpuMs, rssBytes, processes } = outcome!.generator;
      log(`${driverId}, ${members} members: ${delivered} deliveries, ${cpuMs.toFixed(0)} ms CPU, ${(rssBytes / 2 ** 20).toFixed(1)} MiB RSS in ${processes} process(es), wall ${result.wallMs} ms`);
      return { perCpuSecond: delivered / (cpuMs / 1000), rssBytes };
    };
    // interleaved: every driver once per round, at both sizes, so the machine's load hits them alike
    for (let run = 0; run < runs; run++) {
      for (const [driverId, driver] of drivers) {
        const small = await measure(driverId, driver, plan, PARAMS.members);
        const large = await measure(driverId, driver, larger, LARGER_MEMBERS);
        (perCpuSecond[driverId] ??= []).push(small.perCpuSecond);
        const sizes = (rss[driverId] ??= { small: [], large: [] });
        sizes.small.push(small.rssBytes);
        sizes.large.push(large.rssBytes);
      }
    }
    for (const [driverId] of drivers) {
      const marginal = (median(rss[driverId]!.large) - median(rss[driverId]!.small)) / (LARGER_MEMBERS - PARAMS.members);
      figures.push(
        { label: `${driverId}: delivered messages per generator CPU-second`, value: Math.round(median(perCpuSecond[driverId]!)), unit: 'msg/CPU-s', note: `group-1000, ${PARAMS.members} members, ${PARAMS.messages} messages` },
        { label: `${driverId}: generator memory per added client (marginal)`, value: Math.round(marginal / 102.4) / 10, unit: 'KiB/client', note: `RSS at ${LARGER_MEMBERS} minus at ${clients} clients` },
      );
    }
  } finally {
    await postgres.stop();
  }
  return figures;
}
