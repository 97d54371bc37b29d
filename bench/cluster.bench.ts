// Cross-node fan-out: a group whose members are spread over two nodes (every message published
// to the other node through Redis and written there) against the same group on one node. The
// send rate is set far above what either can deliver, so the figure is capacity, not the
// schedule: delivered messages per second over the send phase, medians of several runs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../cli/run-scenario.ts';
import { redisServerBinary, startRedisServer, type RedisServerHandle } from '../reference-server/cluster/redis-server.ts';
import { connectPostgres } from '../reference-server/db/postgres.ts';
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';

export const name = 'cluster';

const GROUP = {
  members: Number(process.env.CHATBENCH_BENCH_CLUSTER_MEMBERS ?? 300),
  messages: Number(process.env.CHATBENCH_BENCH_CLUSTER_MESSAGES ?? 50),
  /** messages per second asked for: well past saturation on a small machine */
  rate: 1000,
  model: 'watermark',
};

export default async function bench({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  let redis: RedisServerHandle | undefined;
  const redisUrl = process.env.CHATBENCH_REDIS_URL ?? (redisServerBinary() ? (redis = await startRedisServer()).url : undefined);
  if (!redisUrl) throw new Error('the cluster bench needs redis-server on PATH or CHATBENCH_REDIS_URL');
  try {
    const perSecond = async (nodes: number, run: number): Promise<number> => {
      const outcome = await runScenario({
        scenario: 'group-1000',
        sets: [`members=${GROUP.members}`, `messages=${GROUP.messages}`, `rate=${GROUP.rate}`, `readEvery=${GROUP.messages}`],
        models: [GROUP.model],
        nodes,
        ...(nodes > 1 ? { redisUrl } : {}),
        postgres,
        store: false,
        outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-bench-cluster-')), `n${nodes}-${run}`),
      });
      const result = outcome.results.models[GROUP.model]!;
      const delivered = result.latency['latency.delivery']?.count ?? 0;
      if (delivered !== GROUP.messages * (GROUP.members - 1)) throw new Error(`${nodes} node(s): ${delivered} deliveries, expected ${GROUP.messages * (GROUP.members - 1)}`);
      // the phase in which the messages were sent (and delivered: it ends when every client is settled)
      const sending = [...(result.phases ?? [])].sort((a, b) => (b.actions.send ?? 0) - (a.actions.send ?? 0))[0]!;
      const rate = delivered / ((sending.endMs - sending.startMs) / 1000);
      log(`${nodes} node(s), run ${run + 1}: ${Math.round(rate)} deliveries/s (${delivered} in ${sending.endMs - sending.startMs} ms)`);
      return rate;
    };
    const single: number[] = [];
    const split: number[] = [];
    // interleaved, so a slow spell on the shared machine hurts both sides alike
    for (let run = 0; run < runs; run++) {
      single.push(await perSecond(1, run));
      split.push(await perSecond(2, run));
    }
    const one = median(single);
    const two = median(split);
    return [
      { label: `group of ${GROUP.members}, 1 node: delivered messages/s`, value: Math.round(one), unit: 'msg/s' },
      { label: `group of ${GROUP.members}, 2 nodes on Redis: delivered messages/s`, value: Math.round(two), unit: 'msg/s' },
      { label: 'cross-node / single-node', value: Math.round((two / one) * 100) / 100, unit: 'x', note: 'members split over both nodes: a Redis hop per cross-node delivery, against a second process to write sockets and handle acks' },
    ];
  } finally {
    await redis?.stop();
    await postgres.stop();
  }
}
