// How close the reference server comes to its database: sends acked per second by one server
// node against pgbench running the server's own send transaction on the same Postgres (the
// message insert with its seq bump; inside BEGIN/COMMIT only where the model adds rows of its
// own, as the server does). Postgres gets CPUs of its own, the load side (pgbench, or the server
// with its clients) the rest (./support/cpu-split.ts says why); on one CPU everything shares it.
//
// Fair to both sides, from what measuring showed:
// - Each side at 4 and at CLIENTS database connections (the server's pool, pgbench's clients),
//   judged best against best. On one CPU Postgres loses throughput to its own concurrency:
//   pgbench did 7,151-9,369 tps at 1-4 connections and 2,997-5,944 at 16, so pgbench at 16
//   alone was no ceiling, and the server with a pool of 16 beat it.
// - Each pgbench connection writes a conversation of its own, as each server sender does
//   (sharing them made pgbench wait on the conversation row's lock), with random temp ids on
//   both sides (where a key lands in the temp id index is part of the cost).
// - The server's CLIENTS senders keep one send in flight each (a connection's frames are handled
//   in order), recipients offline: the send path, not fan-out. Four senders per pool connection
//   measured no higher than one (3,942 against 4,421 acks/s naive, medians of 3).
// - Postgres's busy share is no sign of headroom: pgbench held to the server's rate (-R) left
//   Postgres as busy (77-98 %) at as much CPU per transaction (203-318 us, against 172-221 us
//   flat out) as the server did (215-287 us per ack). Below saturation each operation pays for
//   waking a backend. The ratio of rates is the figure.
// - Server and pgbench alternate in pairs, which goes first alternating too, and the ratio is the
//   median of the pairs' ratios: this kind of machine changes speed from one 5 s window to the
//   next (Postgres's CPU for the same statement moved 269-474 us between runs, no steal time), so
//   adjacent short runs compare best.
// The target (>= 0.8: the server is not the ceiling, Postgres is) is judged on the split layout.
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
import { launchNode, type NodeHandle } from '../reference-server/node-launcher.ts';
import { defaultOptions } from '../reference-server/models/options.ts';
import { MODELS } from '../reference-server/models/registry.ts';
import { sendIsTransaction, standaloneContext } from '../reference-server/models/types.ts';
import type { BenchFigure } from './run.ts';
import { processUsage } from '../drivers/process-usage.ts';
import { allCpus, busyMeter, pin, planCpuSplit, postmasterPid } from './support/cpu-split.ts';
import { median, round2 } from './stats.ts';

export const name = 'server-ceiling';

/** the server's senders */
const CLIENTS = Number(process.env.CHATBENCH_BENCH_CEILING_CLIENTS ?? 16);
/** database connections: the server's pool and pgbench's clients, each side measured at each */
const CONNECTIONS = [4, CLIENTS];
const SECONDS = Number(process.env.CHATBENCH_BENCH_CEILING_SECONDS ?? 3);
/** server/pgbench pairs per bench run */
const PAIRS_PER_RUN = 2;
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
 * The handler's statement with pgbench variables: the connection's own conversation k, its
 * sender 2k-1, a fresh temp id; in BEGIN/COMMIT when the model's send to a direct chat is a
 * transaction on the server.
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
  return ['\\set k :client_id + 1', '\\set sender 2 * :k - 1', '\\set t random(1, 2000000000)', ...body, ''].join('\n');
}

function runPgbench(binary: string, url: string, script: string, connections: number, cpus?: string): number {
  const args = ['-n', '-c', String(connections), '-j', String(Math.min(2, connections)), '-T', String(SECONDS), '-M', 'prepared', '-f', script, url];
  const output = cpus ? execFileSync('taskset', ['-c', cpus, binary, ...args], { encoding: 'utf8' }) : execFileSync(binary, args, { encoding: 'utf8' });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(tps);
}

const ACK_PREFIX = Buffer.from('{"type":"ack"');
const LOAD_CLIENT_OPTIONS: WebSocket.ClientOptions = { perMessageDeflate: false, skipUTF8Validation: true, generateMask: (mask) => void mask.fill(0) };

interface ServerRun {
  acks: number;
  /** the server node's CPU per ack, in microseconds */
  nodeCpuPerAck: number;
  /** this process's CPU per ack (it runs the senders and nothing else meanwhile), in microseconds */
  clientsCpuPerAck: number;
}

/**
 * CLIENTS senders, each in its own 1:1 chat with an offline peer, one send in flight each. They
 * share the load CPU with the server, as pgbench's client does with nothing heavier than libpq,
 * so they do as little as a WebSocket client can: a frame built from a template, a zero masking
 * key, no UTF-8 check, an ack known by its first bytes: what they spend is taken from the server
 * under test, and the bench prints how much it is.
 */
async function runServer(node: NodeHandle): Promise<ServerRun> {
  const url = node.url;
  const sockets = await Promise.all(
    Array.from({ length: CLIENTS }, (_, index) => {
      const ws = new WebSocket(`${url}/?token=${mintToken(SECRET, 2 * index + 1)}`, LOAD_CLIENT_OPTIONS);
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
  let acks = 0;
  const nodeCpuBefore = processUsage(node.pid).cpuMs;
  const clientsCpuBefore = process.cpuUsage();
  const endAt = Date.now() + SECONDS * 1000;
  await Promise.all(
    sockets.map(
      (ws, index) =>
        new Promise<void>((resolve) => {
          // the frame's fixed part built once; the temp id random like pgbench's (where a key lands
          // in the temp id index is part of the cost)
          const head = `{"type":"send","conversationId":${index + 1},"body":"ceiling body","tempId":"ceiling-${index}-`;
          const send = () => {
            if (Date.now() >= endAt) return resolve();
            ws.send(`${head}${Math.floor(Math.random() * 2_000_000_000)}"}`);
          };
          ws.on('message', (data: Buffer) => {
            if (!data.subarray(0, ACK_PREFIX.length).equals(ACK_PREFIX)) return;
            acks += 1;
            send();
          });
          send();
        }),
    ),
  );
  const clientsCpu = process.cpuUsage(clientsCpuBefore);
  const nodeCpuPerAck = ((processUsage(node.pid).cpuMs - nodeCpuBefore) * 1000) / acks;
  for (const ws of sockets) ws.close();
  return { acks: acks / SECONDS, nodeCpuPerAck, clientsCpuPerAck: (clientsCpu.user + clientsCpu.system) / acks };
}

interface Measured {
  acks: number[];
  tps: number[];
  /** share of the database's CPUs busy (any process) through each run */
  serverBusy: number[];
  pgbenchBusy: number[];
  /** microseconds of CPU per ack: the server node, and the senders driving it */
  nodeCpu: number[];
  clientsCpu: number[];
}

function emptyMeasured(): Measured {
  return { acks: [], tps: [], serverBusy: [], pgbenchBusy: [], nodeCpu: [], clientsCpu: [] };
}

/** each run's figure, in run order, so a reader sees the spread behind a median */
function listRuns(values: number[]): string {
  return values.map((value) => Math.round(value).toLocaleString('en-US')).join(', ');
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
  if (!split) log('server-ceiling: one CPU or no taskset: measured on shared cores, where the load side takes CPU from Postgres');
  const where = split ? `Postgres on CPU ${split.database}, load on CPU ${split.load}` : 'cores shared';
  const postmaster = await postmasterPid(postgres.url);
  try {
    for (const modelId of MODEL_IDS) {
      const database = await prepareModelDatabase(postgres.url, MODELS[modelId]!);
      const users = Array.from({ length: 2 * CLIENTS }, (_, index) => index + 1);
      const conversations = Array.from({ length: CLIENTS }, (_, index) => ({ id: index + 1, kind: 'direct' as const, members: [2 * index + 1, 2 * index + 2] }));
      await seedPopulation(database.setup.for('setup'), { users, conversations });
      // one node per pool size, on the same database; only one is driven at a time
      const nodes: NodeHandle[] = [];
      try {
        for (const connections of CONNECTIONS) {
          nodes.push(await launchNode({ model: modelId, dbUrl: database.url, secret: SECRET, host: '127.0.0.1', port: 0, nodeId: `ceiling-${connections}`, poolSize: connections }));
        }
        // the same statements the server's send runs for this model, transaction or not
        const instance = MODELS[modelId]!.create(standaloneContext(database.setup, defaultOptions(modelId)));
        const transaction = sendIsTransaction(instance, { id: 1, kind: 'direct', members: [1, 2] });
        await instance.close?.();
        const script = join(dir, `${modelId}.sql`);
        writeFileSync(script, pgbenchScript(transaction));
        // Postgres (with its backends) on its CPUs, this process's clients and the servers on the rest
        const place = (databaseCpus: string, loadCpus: string) => {
          pin(postmaster, databaseCpus, true);
          pin(process.pid, loadCpus);
          for (const node of nodes) pin(node.pid, loadCpus);
        };
        const databaseCpus = split?.databaseIds ?? allCpus();
        const measured = CONNECTIONS.map(() => emptyMeasured());
        const pairs = runs * PAIRS_PER_RUN;
        if (split) place(split.database, split.load);
        try {
          // One uncounted run of each side first. A fresh node's first seconds run cold code (its
          // acks/s rose by a third from the first run to the second: 186-220 against 286-316 us of
          // node CPU per ack), which pgbench, compiled C, does not pay; pgbench's run warms the
          // database's caches for both sides alike.
          log(`${modelId}: warm-up, uncounted: server, then pgbench at ${CONNECTIONS.join(' and ')} connections (${SECONDS} s each)`);
          for (const [index, connections] of CONNECTIONS.entries()) {
            await runServer(nodes[index]!);
            runPgbench(pgbench, database.url, script, connections, split?.load);
          }
          for (let pair = 0; pair < pairs; pair++) {
            const serverFirst = pair % 2 === 0;
            log(`${modelId}: pair ${pair + 1}/${pairs}, ${where}: ${serverFirst ? 'server, then pgbench' : 'pgbench, then server'} at ${CONNECTIONS.join(' and ')} connections (${SECONDS} s each)`);
            for (const [index, connections] of CONNECTIONS.entries()) {
              const into = measured[index]!;
              const server = async () => {
                const busy = busyMeter(databaseCpus);
                const run = await runServer(nodes[index]!);
                into.acks.push(run.acks);
                into.nodeCpu.push(run.nodeCpuPerAck);
                into.clientsCpu.push(run.clientsCpuPerAck);
                into.serverBusy.push(busy());
              };
              const bench = () => {
                const busy = busyMeter(databaseCpus);
                into.tps.push(runPgbench(pgbench, database.url, script, connections, split?.load));
                into.pgbenchBusy.push(busy());
              };
              if (serverFirst) {
                await server();
                bench();
              } else {
                bench();
                await server();
              }
            }
          }
        } finally {
          if (split) place(split.all, split.all);
        }
        const statements = transaction ? 'BEGIN/COMMIT' : 'one statement';
        for (const [index, connections] of CONNECTIONS.entries()) {
          const { acks, tps, serverBusy, pgbenchBusy, nodeCpu, clientsCpu } = measured[index]!;
          const ratios = acks.map((rate, pair) => rate / tps[pair]!);
          figures.push({ label: `${modelId}, ${connections} connections: server acks/s`, value: Math.round(median(acks)), unit: 'acks/s', note: `${CLIENTS} senders, pool of ${connections}; runs ${listRuns(acks)}` });
          figures.push({ label: `${modelId}, ${connections} connections: pgbench tps`, value: Math.round(median(tps)), unit: 'tps', note: `${statements}; runs ${listRuns(tps)}` });
          figures.push({ label: `${modelId}, ${connections} connections: server ÷ pgbench`, value: round2(median(ratios)), unit: 'ratio', note: `median of ${ratios.length} pairs` });
          // where the load side's CPU goes: what the server must get under for the ratio to rise
          figures.push({
            label: `${modelId}, ${connections} connections: server node CPU per ack`,
            value: Math.round(median(nodeCpu)),
            unit: 'us',
            note: `its senders: ${Math.round(median(clientsCpu))} us per ack, on the same CPU`,
          });
          if (split) {
            // Postgres's CPU per operation: busy share x its CPUs / rate, run by run
            const perOp = (busy: number[], rates: number[]) => Math.round(median(busy.map((share, run) => (share * databaseCpus.length * 1e6) / rates[run]!)));
            figures.push({
              label: `${modelId}, ${connections} connections: Postgres CPU busy`,
              value: Math.round(median(serverBusy) * 100),
              unit: '%',
              note: `server driving, ${perOp(serverBusy, acks)} us per ack; pgbench driving: ${Math.round(median(pgbenchBusy) * 100)} %, ${perOp(pgbenchBusy, tps)} us per transaction`,
            });
          }
        }
        // the judged figure: each side at its best connection count, pair by pair
        const best = (pick: (of: Measured) => number[]) => Array.from({ length: pairs }, (_, pair) => Math.max(...measured.map((of) => pick(of)[pair]!)));
        const bestTps = best((of) => of.tps);
        const bestRatios = best((of) => of.acks).map((rate, pair) => rate / bestTps[pair]!);
        figures.push({
          label: `${modelId}: server's best ÷ pgbench's best`,
          value: round2(median(bestRatios)),
          unit: 'ratio',
          note: `median of ${pairs} pairs (${bestRatios.map((ratio) => ratio.toFixed(2)).join(', ')}), ${where}; ${split ? 'target >= 0.8' : 'not judged: cores shared'}`,
        });
      } finally {
        for (const node of nodes) await node.stop();
        await database.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await postgres.stop();
  }
  return figures;
}
