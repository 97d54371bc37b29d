// How close the reference server comes to its database: sends acked per second by one server
// node against pgbench running the server's own send transaction on the same Postgres (the
// message insert with its seq bump; inside BEGIN/COMMIT only where the model adds rows of its
// own, as the server does), with as many clients as pgbench has connections.
// Each client keeps one send in flight (the server handles a connection's frames in order); the
// recipients stay offline, so the figure is the send path, not fan-out. Server and pgbench runs
// are interleaved; the ratio is of their medians. Measured twice: with every process on shared
// cores, and with Postgres on CPUs of its own and the load side (pgbench, or the server and its
// clients) on the rest (./support/cpu-split.ts says why). The target (>= 0.8: the server is not
// the ceiling, Postgres is) is judged on the second; the first is printed beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { mintToken } from '../reference-server/auth.ts';
import { seedPopulation } from '../reference-server/db/seed.ts';
import { connectPostgres } from '../reference-server/db/postgres.ts';
import { STORE_MESSAGE } from '../reference-server/handlers.ts';
import { prepareModelDatabase } from '../reference-server/instance.ts';
import { launchNode } from '../reference-server/node-launcher.ts';
import { defaultOptions } from '../reference-server/models/options.ts';
import { MODELS } from '../reference-server/models/registry.ts';
import { sendIsTransaction, standaloneContext } from '../reference-server/models/types.ts';
import type { BenchFigure } from './run.ts';
import { pin, planCpuSplit, postmasterPid } from './support/cpu-split.ts';
import { median } from './stats.ts';

export const name = 'server-ceiling';

type Layout = 'shared' | 'split';

const CLIENTS = Number(process.env.CHATBENCH_BENCH_CEILING_CLIENTS ?? 16);
const SECONDS = Number(process.env.CHATBENCH_BENCH_CEILING_SECONDS ?? 5);
const MODEL_IDS = ['naive', 'watermark'];
const SECRET = 'server-ceiling';

export function pgbenchBinary(): string | undefined {
  for (const path of ['/usr/lib/postgresql/15/bin/pgbench', '/usr/lib/postgresql/16/bin/pgbench', '/usr/lib/postgresql/17/bin/pgbench']) if (existsSync(path)) return path;
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The handler's statement with pgbench variables: conversation k, its sender 2k-1, a fresh temp
 * id; in BEGIN/COMMIT when the model's send to a direct chat is a transaction on the server.
 */
function pgbenchScript(transaction: boolean): string {
  const statement = STORE_MESSAGE.replace(/\$1\b/g, ':k')
    .replace(/\$2\b/g, ':sender')
    .replace(/\$3\b/g, "('pgbench-' || :client_id || '-' || :t)")
    .replace(/\$4\b/g, "'pgbench body'")
    .replace(/\$5\b/g, '0')
    .replace(/\s+/g, ' ')
    .trim();
  const body = transaction ? ['BEGIN;', `${statement};`, 'COMMIT;'] : [`${statement};`];
  return [`\\set k random(1, ${CLIENTS})`, '\\set sender 2 * :k - 1', '\\set t random(1, 2000000000)', ...body, ''].join('\n');
}

function runPgbench(binary: string, url: string, script: string, cpus?: string): number {
  const args = ['-n', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-M', 'prepared', '-f', script, url];
  const output = cpus ? execFileSync('taskset', ['-c', cpus, binary, ...args], { encoding: 'utf8' }) : execFileSync(binary, args, { encoding: 'utf8' });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(tps);
}

/** CLIENTS senders, each in its own 1:1 chat with an offline peer, one send in flight each. */
async function runServer(url: string): Promise<{ sends: number; acks: number }> {
  const sockets = await Promise.all(
    Array.from({ length: CLIENTS }, (_, index) => {
      const ws = new WebSocket(`${url}/?token=${mintToken(SECRET, 2 * index + 1)}`, { perMessageDeflate: false });
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => {
          ws.send(JSON.stringify({ type: 'sync' }));
          ws.on('message', function synced(data) {
            if ((JSON.parse(data.toString()) as { type: string }).type !== 'synced') return;
            ws.off('message', synced);
            resolve(ws);
          });
        });
      });
    }),
  );
  let sends = 0;
  let acks = 0;
  let counter = 0;
  const endAt = Date.now() + SECONDS * 1000;
  await Promise.all(
    sockets.map(
      (ws, index) =>
        new Promise<void>((resolve) => {
          const send = () => {
            if (Date.now() >= endAt) return resolve();
            sends += 1;
            ws.send(JSON.stringify({ type: 'send', tempId: `ceiling-${++counter}`, conversationId: index + 1, body: 'ceiling body' }));
          };
          ws.on('message', (data) => {
            if ((JSON.parse(data.toString()) as { type: string }).type !== 'ack') return;
            acks += 1;
            send();
          });
          send();
        }),
    ),
  );
  for (const ws of sockets) ws.close();
  return { sends: sends / SECONDS, acks: acks / SECONDS };
}

export default async function serverCeiling({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const pgbench = pgbenchBinary();
  if (!pgbench) {
    log('server-ceiling skipped: no pgbench (install postgresql-client, or put pgbench on PATH)');
    return [];
  }
  const figures: BenchFigure[] = [];
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  const dir = mkdtempSync(join(tmpdir(), 'chatbench-ceiling-'));
  const split = process.env.CHATBENCH_BENCH_CEILING_SPLIT === '0' ? undefined : planCpuSplit();
  if (!split) log('server-ceiling: one CPU or no taskset: measured on shared cores only');
  const postmaster = await postmasterPid(postgres.url);
  try {
    for (const modelId of MODEL_IDS) {
      const database = await prepareModelDatabase(postgres.url, MODELS[modelId]!);
      const node = await (async () => {
        const users = Array.from({ length: 2 * CLIENTS }, (_, index) => index + 1);
        const conversations = Array.from({ length: CLIENTS }, (_, index) => ({ id: index + 1, kind: 'direct' as const, members: [2 * index + 1, 2 * index + 2] }));
        await seedPopulation(database.setup.for('setup'), { users, conversations });
        return launchNode({ model: modelId, dbUrl: database.url, secret: SECRET, host: '127.0.0.1', port: 0, nodeId: 'ceiling', poolSize: CLIENTS });
      })();
      // the same statements the server's send runs for this model, transaction or not
      const instance = MODELS[modelId]!.create(standaloneContext(database.setup, defaultOptions(modelId)));
      const transaction = sendIsTransaction(instance, { id: 1, kind: 'direct', members: [1, 2] });
      await instance.close?.();
      const script = join(dir, `${modelId}.sql`);
      writeFileSync(script, pgbenchScript(transaction));
      // per layout: the server's acks/s and pgbench's tps, run after run, interleaved
      const measured: Record<Layout, { acks: number[]; tps: number[] }> = { shared: { acks: [], tps: [] }, split: { acks: [], tps: [] } };
      const layouts: Layout[] = split ? ['shared', 'split'] : ['shared'];
      try {
        for (let run = 0; run < runs; run++) {
          for (const layout of layouts) {
            log(`${modelId}: run ${run + 1}/${runs}, ${layout === 'split' ? `Postgres on CPU ${split!.database}, load on CPU ${split!.load}` : 'cores shared'}: server, then pgbench (${CLIENTS} clients, ${SECONDS} s each)`);
            // Postgres (with its backends) on its CPUs, this process's clients and the server on the rest
            const place = (databaseCpus: string, loadCpus: string) => {
              pin(postmaster, databaseCpus, true);
              pin(process.pid, loadCpus);
              pin(node.pid, loadCpus);
            };
            if (layout === 'split') place(split!.database, split!.load);
            try {
              measured[layout].acks.push((await runServer(node.url)).acks);
              measured[layout].tps.push(runPgbench(pgbench, database.url, script, layout === 'split' ? split!.load : undefined));
            } finally {
              if (layout === 'split') place(split!.all, split!.all);
            }
          }
        }
      } finally {
        await node.stop();
        await database.drop();
      }
      const statements = `${CLIENTS} connections${transaction ? ', BEGIN/COMMIT' : ', one statement'}`;
      for (const layout of layouts) {
        const { acks, tps } = measured[layout];
        const where = layout === 'split' ? `Postgres on its own CPU` : 'cores shared';
        figures.push({ label: `${modelId}, ${where}: server acks/s`, value: Math.round(median(acks)), unit: 'acks/s', note: `${CLIENTS} clients, one send in flight each` });
        figures.push({ label: `${modelId}, ${where}: pgbench, same statements`, value: Math.round(median(tps)), unit: 'tps', note: statements });
        figures.push({
          label: `${modelId}, ${where}: server ÷ pgbench`,
          value: Math.round((median(acks) / median(tps)) * 100) / 100,
          unit: 'ratio',
          note: layout === 'split' ? 'target >= 0.8' : 'the load side and Postgres fight for the same cores',
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await postgres.stop();
  }
  return figures;
}
