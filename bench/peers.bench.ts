// The same broadcast workload through four load generators: bare `ws` (the floor), chatbench's
// own Node client machinery (fleet, SimClient, `ws` transport; it acks every delivery as a live
// client does), k6 and Artillery. Each peer process connects N sockets to one bare broadcaster;
// once all are open the broadcaster sends MESSAGES frames to every socket. Figures: the peer
// process's CPU per 1,000 delivered messages (from /proc, from the broadcast until its CPU goes
// quiet) and its marginal memory per client (RSS at 5,000 clients minus RSS at 1,000, over
// 4,000; after the broadcast, and connected before it), each with its ratio to bare `ws`. Peers run interleaved, run after run. k6 comes from
// `npm run setup:k6`; Artillery is installed by this bench into bench/.peers (gitignored).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findK6 } from '../drivers/k6/binary.ts';
import { processUsage } from '../drivers/process-usage.ts';
import { WORKER_EXEC_ARGV } from '../drivers/node/worker-flags.ts';
import { forkTs } from '../reference-server/fork-ts.ts';
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';

export const name = 'peers';

const SMALL = 1000;
const LARGE = Number(process.env.CHATBENCH_BENCH_PEERS_CLIENTS ?? 5000);
const MESSAGES = Number(process.env.CHATBENCH_BENCH_PEERS_MESSAGES ?? 50);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const PEERS_DIR = join(HERE, '.peers');
const ARTILLERY = join(PEERS_DIR, 'node_modules', 'artillery', 'bin', 'run');

interface Peer {
  id: string;
  /** why it cannot run here, or undefined */
  prepare(log: (line: string) => void): string | undefined;
  start(url: string, clients: number): ChildProcess;
}

const env = (url: string, clients: number) => ({ ...process.env, CHATBENCH_PEER_URL: url, CHATBENCH_PEER_CLIENTS: String(clients), CHATBENCH_PEER_MESSAGES: String(MESSAGES) });

const PEERS: Peer[] = [
  { id: 'bare ws', prepare: () => undefined, start: (url, clients) => forkTs(join(HERE, 'support', 'peer-ws.ts'), { env: env(url, clients), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }) },
  {
    id: 'bare ws, acking',
    prepare: () => undefined,
    start: (url, clients) => forkTs(join(HERE, 'support', 'peer-ws-acking.ts'), { env: env(url, clients), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  },
  {
    id: 'chatbench',
    prepare: () => undefined,
    // with the V8 flags the driver gives its workers: the peer stands for one
    start: (url, clients) => forkTs(join(HERE, 'support', 'peer-chatbench.ts'), { env: env(url, clients), stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: WORKER_EXEC_ARGV }),
  },
  {
    id: 'k6',
    prepare() {
      const k6 = findK6();
      return 'missing' in k6 ? k6.missing : undefined;
    },
    start(url, clients) {
      const k6 = findK6() as { path: string };
      return spawn(k6.path, ['run', '--quiet', '--no-summary', '-e', `PEER_URL=${url}`, '-e', `PEER_CLIENTS=${clients}`, join(HERE, 'support', 'peer.k6.js')], { stdio: ['ignore', 'ignore', 'ignore'] });
    },
  },
  {
    id: 'artillery',
    prepare(log) {
      if (existsSync(ARTILLERY)) return undefined;
      log(`installing Artillery into ${PEERS_DIR} (once)`);
      mkdirSync(PEERS_DIR, { recursive: true });
      const install = spawnSync('npm', ['install', '--prefix', PEERS_DIR, 'artillery@2', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { encoding: 'utf8', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
      return install.status === 0 && existsSync(ARTILLERY) ? undefined : `npm install artillery failed: ${(install.stderr || install.stdout).trim().split('\n').at(-1)}`;
    },
    start(url, clients) {
      const script = join(PEERS_DIR, `peers-${clients}.yml`);
      // every client arrives within a second and stays connected, receiving, until killed
      writeFileSync(script, `config:\n  target: "${url}"\n  phases:\n    - duration: 1\n      arrivalCount: ${clients}\nscenarios:\n  - engine: ws\n    flow:\n      - think: 600\n`);
      return spawn(process.execPath, [ARTILLERY, 'run', '--quiet', script], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } });
    },
  },
];

function request<T>(child: ChildProcess, message: object, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: { type: string }) => {
      if (reply.type !== type) return;
      child.off('message', listener);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One peer, one size: CPU per 1,000 delivered and RSS once the broadcast is in. */
async function measure(peer: Peer, clients: number): Promise<{ cpuPer1000: number; rssBytes: number; connectedRssBytes: number }> {
  const server = forkTs(join(HERE, 'support', 'broadcast-server.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => server.once('message', (message: { port: number }) => resolve(message.port)));
  const child = peer.start(`ws://127.0.0.1:${port}`, clients);
  try {
    const deadline = Date.now() + 180_000;
    while ((await request<{ connections: number }>(server, { type: 'count' }, 'count')).connections < clients) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${peer.id}: ${clients} clients did not all connect`);
      await sleep(200);
    }
    await quiet(child.pid!);
    const before = processUsage(child.pid);
    const { deliveries } = await request<{ deliveries: number }>(server, { type: 'go', messages: MESSAGES }, 'sent');
    await quiet(child.pid!);
    const after = processUsage(child.pid);
    return { cpuPer1000: (after.cpuMs - before.cpuMs) / (deliveries / 1000), rssBytes: after.rssBytes, connectedRssBytes: before.rssBytes };
  } finally {
    server.send({ type: 'bye' });
    child.kill('SIGKILL');
    server.kill();
  }
}

/** Waits until the process's CPU stops growing: it has read and handled everything sent. */
async function quiet(pid: number): Promise<void> {
  let last = processUsage(pid).cpuMs;
  for (let still = 0; still < 3; ) {
    await sleep(200);
    const now = processUsage(pid).cpuMs;
    still = now - last <= 10 ? still + 1 : 0;
    last = now;
  }
}

/** CHATBENCH_BENCH_PEERS="bare ws,chatbench" runs only those (bare ws always: every ratio is to it) */
function selected(): Peer[] {
  const wanted = process.env.CHATBENCH_BENCH_PEERS?.split(',').map((id) => id.trim());
  return wanted ? PEERS.filter((peer) => peer.id === 'bare ws' || wanted.includes(peer.id)) : PEERS;
}

export default async function peers({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const ready = selected().filter((peer) => {
    const missing = peer.prepare(log);
    if (missing) log(`${peer.id} skipped: ${missing}`);
    return !missing;
  });
  const cpu: Record<string, number[]> = {};
  const rss: Record<string, Record<number, number[]>> = {};
  const connectedRss: Record<string, Record<number, number[]>> = {};
  for (let run = 0; run < runs; run++) {
    for (const clients of [SMALL, LARGE]) {
      // interleaved: every peer once per round, so a change in the machine's load hits them alike
      for (const peer of ready) {
        const figures = await measure(peer, clients);
        log(`run ${run + 1}, ${clients} clients, ${peer.id}: ${figures.cpuPer1000.toFixed(1)} ms CPU per 1,000 delivered, RSS ${(figures.rssBytes / 2 ** 20).toFixed(0)} MiB`);
        if (clients === SMALL) (cpu[peer.id] ??= []).push(figures.cpuPer1000);
        ((rss[peer.id] ??= {})[clients] ??= []).push(figures.rssBytes);
        ((connectedRss[peer.id] ??= {})[clients] ??= []).push(figures.connectedRssBytes);
      }
    }
  }
  const figures: BenchFigure[] = [];
  const cpuOf = (id: string) => median(cpu[id]!);
  const marginal = (id: string, of = rss) => (median(of[id]![LARGE]!) - median(of[id]![SMALL]!)) / (LARGE - SMALL) / 1024;
  for (const peer of ready) {
    figures.push({ label: `${peer.id}: CPU per 1,000 delivered messages (${SMALL} clients)`, value: Math.round(cpuOf(peer.id) * 10) / 10, unit: 'ms', note: `${(cpuOf(peer.id) / cpuOf('bare ws')).toFixed(2)}x bare ws` });
  }
  for (const peer of ready) {
    figures.push({ label: `${peer.id}: marginal memory per client (${SMALL} -> ${LARGE})`, value: Math.round(marginal(peer.id) * 10) / 10, unit: 'KB', note: `${(marginal(peer.id) / marginal('bare ws')).toFixed(2)}x bare ws${peer.id === 'chatbench' ? '; target <= 15 KB' : ''}` });
  }
  // the same, connected and idle before the broadcast: what holding a client costs, apart from traffic
  for (const peer of ready) {
    const value = marginal(peer.id, connectedRss);
    figures.push({ label: `${peer.id}: marginal memory per client, connected, before the broadcast`, value: Math.round(value * 10) / 10, unit: 'KB', note: `${(value / marginal('bare ws', connectedRss)).toFixed(2)}x bare ws` });
  }
  return figures;
}
