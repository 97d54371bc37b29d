// Issue targets, measured: wall time of every scenario's default run (both models) and the CPU
// it took, the Node driver's fan-out against a bare ws broadcast on the same machine, and the
// reconnect storm at scale (15,000 users on one node, 30,000 on two; both models).
import { runScenario } from '../cli/run-scenario.ts';
import { connectPostgres } from '../reference-server/db/postgres.ts';
import { scenarioIds } from '../scenarios/registry.ts';
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';
import { allCpus, busyMeter } from './support/cpu-split.ts';
import { FANOUT, fanout, type FanoutFigures, type FanoutPeer } from './support/fanout.ts';

export const name = 'scenarios';

const STORM_USERS = Number(process.env.CHATBENCH_BENCH_STORM_USERS ?? 15_000);

export default async function bench({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  try {
    let total = 0;
    let totalCpu = 0;
    // every CPU of the machine, whoever used it (Postgres, server nodes, driver workers, this
    // process): the work a default run is, against what the cores can give in the target's time
    const cpus = allCpus();
    for (const scenario of scenarioIds()) {
      const times: number[] = [];
      const cpuSeconds: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const busy = busyMeter(cpus);
        const outcome = await runScenario({ scenario, postgres, store: false, outDir: `.chatbench/bench/${scenario}-${run}` });
        times.push((performance.now() - started) / 1000);
        cpuSeconds.push(busy() * cpus.length * times.at(-1)!);
        const consistent = Object.values(outcome.results.models).every((model) => model.check.ticks_consistent && model.db.consistent);
        log(`${scenario} run ${run + 1}: ${times.at(-1)!.toFixed(1)} s, ${cpuSeconds.at(-1)!.toFixed(1)} CPU-s${consistent ? '' : ' (INCONSISTENT)'}`);
      }
      total += median(times);
      totalCpu += median(cpuSeconds);
      figures.push({ label: `default run, both models: ${scenario}`, value: median(times), unit: 's', note: `${median(cpuSeconds).toFixed(1)} CPU-s on the machine` });
    }
    figures.push({ label: 'default runs of every scenario, in total', value: total, unit: 's', note: 'target < 60 s' });
    figures.push({
      label: 'default runs of every scenario: CPU used, all processes',
      value: Math.round(totalCpu),
      unit: 'CPU-s',
      note: `${cpus.length} CPUs give ${cpus.length * 60} CPU-s in 60 s; busy ${Math.round((100 * totalCpu) / (cpus.length * total))} % of the time`,
    });

    const deliveries: number[] = [];
    for (let run = 0; run < runs; run++) {
      const outcome = await runScenario({
        scenario: 'group-1000',
        sets: ['messages=100', 'rate=1000', 'readEvery=100'],
        models: ['watermark'],
        postgres,
        store: false,
        outDir: `.chatbench/bench/group-fanout-${run}`,
      });
      const samples = outcome.samples.filter((sample) => sample.metric === 'latency.delivery');
      const span = (Math.max(...samples.map((sample) => sample.t_ms)) - Math.min(...samples.map((sample) => sample.t_ms))) / 1000;
      deliveries.push(samples.length / span);
      log(`group-1000 end to end run ${run + 1}: ${(samples.length / span).toFixed(0)} deliveries/s`);
    }
    figures.push({ label: 'group-1000 delivered messages/s, end to end (watermark)', value: median(deliveries), unit: 'msg/s' });

    // interleaved, every peer once per round, paced and then saturated (./support/fanout.ts):
    // paced, the throughput is set by the one broadcaster as soon as both peers keep up with it,
    // so the client's capacity is read from its CPU per delivered message
    const paced = await fanoutRounds(runs, false, log);
    figures.push({ label: `bare ws broadcast to ${FANOUT.clients} sockets (ceiling)`, value: paced.rate('bare'), unit: 'msg/s' });
    figures.push({ label: 'the same fan-out through the Node driver\'s clients', value: paced.rate('driver'), unit: 'msg/s' });
    figures.push({ label: 'driver fan-out / bare ws ceiling, by throughput', value: (100 * paced.rate('driver')) / paced.rate('bare'), unit: '%', note: 'paced by the broadcaster once both keep up' });
    for (const peer of FANOUT_PEERS) figures.push({ label: `fan-out client CPU per 1,000 delivered messages: ${peer}`, value: Math.round(paced.cpu(peer) * 10) / 10, unit: 'ms' });
    figures.push({ label: 'driver fan-out capacity / bare ws (receive only)', value: (100 * paced.cpu('bare')) / paced.cpu('driver'), unit: '%', note: 'target >= 80 %' });
    figures.push({ label: 'driver fan-out capacity / bare ws acking each message', value: (100 * paced.cpu('acking')) / paced.cpu('driver'), unit: '%', note: 'the same I/O as the workload' });
    figures.push({ label: 'bare ws acking each message / bare ws (receive only)', value: (100 * paced.cpu('bare')) / paced.cpu('acking'), unit: '%', note: 'what the acks alone leave of the receive-only ceiling' });
    const saturated = await fanoutRounds(runs, true, log);
    for (const peer of FANOUT_PEERS) figures.push({ label: `saturated fan-out, CPU per 1,000 delivered: ${peer}`, value: Math.round(saturated.cpu(peer) * 100) / 100, unit: 'ms', note: `${Math.round(saturated.rate(peer)).toLocaleString('en-US')} msg/s` });
    figures.push({ label: 'saturated driver capacity / bare ws (receive only)', value: (100 * saturated.cpu('bare')) / saturated.cpu('driver'), unit: '%' });
    figures.push({ label: 'saturated driver capacity / bare ws acking each message', value: (100 * saturated.cpu('acking')) / saturated.cpu('driver'), unit: '%' });
    figures.push({ label: 'chat server end to end / bare ws ceiling', value: (100 * median(deliveries)) / paced.rate('bare'), unit: '%', note: 'DB work per delivery ack included' });

    // the storm at scale, both models: one node at STORM_USERS, two nodes at twice that
    for (const nodes of [1, 2]) {
      const users = STORM_USERS * nodes;
      const storm = await runScenario({
        scenario: 'mass-reconnect',
        sets: [`users=${users}`, 'window=10'],
        models: ['naive', 'watermark'],
        nodes,
        ...(process.env.CHATBENCH_REDIS_URL ? { redisUrl: process.env.CHATBENCH_REDIS_URL } : {}),
        postgres,
        store: false,
        outDir: `.chatbench/bench/storm-${nodes}`,
      });
      for (const [model, result] of Object.entries(storm.results.models)) {
        const where = `mass-reconnect ${users} users, ${nodes} node${nodes > 1 ? 's' : ''}, ${model}`;
        figures.push({ label: `${where}: synced clients`, value: result.latency['latency.sync']?.count ?? 0, unit: '', note: `target ${users}` });
        figures.push({ label: `${where}: failed clients`, value: result.errors['client.client_failed'] ?? 0, unit: '', note: 'target 0' });
        figures.push({ label: `${where}: refused connection attempts (retried)`, value: result.errors['client.connect_failed'] ?? 0, unit: '' });
        figures.push({ label: `${where}: latency.sync p99`, value: result.latency['latency.sync']?.p99 ?? Number.NaN, unit: 'ms' });
      }
    }
  } finally {
    await postgres.stop();
  }
  return figures;
}

const FANOUT_PEERS: readonly FanoutPeer[] = ['bare', 'acking', 'driver'];

/** `runs` rounds of every fan-out peer in turn; medians per peer of its rate and CPU per 1,000 */
async function fanoutRounds(runs: number, saturated: boolean, log: (line: string) => void) {
  const measured: Record<FanoutPeer, FanoutFigures[]> = { bare: [], acking: [], driver: [] };
  for (let run = 0; run < runs; run++) {
    for (const peer of FANOUT_PEERS) measured[peer].push(await fanout(peer, { ...FANOUT, saturated }));
    const line = FANOUT_PEERS.map((peer) => `${peer} ${measured[peer].at(-1)!.deliveriesPerSecond.toFixed(0)}/s, ${measured[peer].at(-1)!.cpuPer1000.toFixed(2)} ms CPU per 1,000`);
    log(`fan-out${saturated ? ' saturated' : ''} run ${run + 1}: ${line.join('; ')}`);
  }
  return {
    rate: (peer: FanoutPeer) => median(measured[peer].map((figures) => figures.deliveriesPerSecond)),
    cpu: (peer: FanoutPeer) => median(measured[peer].map((figures) => figures.cpuPer1000)),
  };
}
