// The four shipped models side by side: wall time of vacation-backlog's default run per model,
// receipt rows written per delivered/read ack (write-behind's coalescing, measured) there and in
// a group where members read every few messages, and write-behind's acknowledged receipts lost
// when a node is killed with its default flush window.
import { runScenario, type RunOptions } from '../cli/run-scenario.ts';
import { redisServerBinary } from '../reference-server/cluster/redis-server.ts';
import { connectPostgres } from '../reference-server/db/postgres.ts';
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';

export const name = 'models';

const MODELS = ['naive', 'watermark', 'write-behind', 'hybrid'];
const WORKLOADS: { label: string; scenario: string; sets: string[] }[] = [
  { label: 'vacation-backlog', scenario: 'vacation-backlog', sets: [] },
  { label: 'group of 200', scenario: 'group-1000', sets: ['members=200', 'messages=40', 'rate=20', 'readEvery=5'] },
];
// group of 200: 40 messages at 20/s, each member reading every 5. Node killed: vacation-backlog with
// 60 pairs x 20 messages, recipients coming back over 6 s and leaving once they have read, a node
// dying 3 s in
const KILL: Partial<RunOptions> = { sets: ['pairs=60', 'backlog=20', 'returnWindow=6', 'leave=1'], nodes: 2, killNodeAt: '3:3' };

export default async function bench({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  const base = { postgres, store: false as const, models: MODELS };
  try {
    for (const workload of WORKLOADS) {
      const wall: Record<string, number[]> = {};
      const perAck: Record<string, number[]> = {};
      for (let run = 0; run < runs; run++) {
        log(`${workload.label}: run ${run + 1}/${runs}`);
        const { results } = await runScenario({ ...base, scenario: workload.scenario, sets: workload.sets });
        for (const [model, result] of Object.entries(results.models)) {
          (wall[model] ??= []).push(result.wallMs! / 1000);
          (perAck[model] ??= []).push(result.receipts?.rows_per_ack ?? Number.NaN);
        }
      }
      for (const model of MODELS) {
        figures.push({ label: `${workload.label}: ${model} wall time`, value: median(wall[model]!), unit: 's' });
        figures.push({ label: `${workload.label}: ${model} receipt rows per ack`, value: median(perAck[model]!), unit: 'rows' });
      }
    }
    if (!redisServerBinary() && !process.env.CHATBENCH_REDIS_URL) {
      log('kill-node figures skipped: no redis-server and no CHATBENCH_REDIS_URL');
      return figures;
    }
    const lost: Record<string, number[]> = {};
    const held: number[] = [];
    for (let run = 0; run < runs; run++) {
      log(`vacation-backlog with a node killed: run ${run + 1}/${runs}`);
      const { results } = await runScenario({ ...base, scenario: 'vacation-backlog', ...KILL, ...(process.env.CHATBENCH_REDIS_URL ? { redisUrl: process.env.CHATBENCH_REDIS_URL } : {}) });
      for (const [model, result] of Object.entries(results.models)) (lost[model] ??= []).push(result.check.acked_receipts_lost ?? Number.NaN);
      held.push(results.models['write-behind']!.recovery?.pending_at_kill?.receipts ?? Number.NaN);
    }
    for (const model of MODELS) figures.push({ label: `node killed: ${model} acked receipts lost`, value: median(lost[model]!), unit: 'receipts' });
    figures.push({ label: 'node killed: write-behind receipts its node held unflushed', value: median(held), unit: 'receipts', note: 'flushMs 1000' });
  } finally {
    await postgres.stop();
  }
  return figures;
}
