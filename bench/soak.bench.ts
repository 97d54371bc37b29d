// Soak: a steady load held for minutes against a reference server in its own process, reporting
// how its resident memory drifts (start, end, max, MiB per minute over the second half, after
// warm-up). A leak shows as a drift that does not settle; the figure is per run, not a median:
// a soak is long, so it runs once whatever CHATBENCH_BENCH_RUNS says.
//   CHATBENCH_SOAK_SECONDS (default 120)  CHATBENCH_SOAK_PAIRS (default 100)
//   CHATBENCH_SOAK_RATE messages/s over all pairs (default 200)
// Each pair's recipient acks delivery and reads what arrives; every client reconnects with its
// cursor every ~30 s, so connect, sync and disconnect run throughout too.
import WebSocket from 'ws';
import { mintToken } from '../reference-server/auth.ts';
import { connectPostgres } from '../reference-server/db/postgres.ts';
import { seedPopulation } from '../reference-server/db/seed.ts';
import { prepareModelDatabase } from '../reference-server/instance.ts';
import { getModel } from '../reference-server/models/registry.ts';
import { launchNode } from '../reference-server/node-launcher.ts';
import type { ServerFrame } from '../reference-server/protocol.ts';
import type { BenchFigure } from './run.ts';
import { readRssMib } from './support/rss.ts';
import { round2 } from './stats.ts';

export const name = 'soak';

const SECRET = 'soak-secret';
const RECONNECT_EVERY_MS = 30_000;

function setting(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** one user's connection, reconnecting with its cursor every RECONNECT_EVERY_MS until stopped */
class SoakClient {
  private ws: WebSocket | undefined;
  private statusCursor: number | undefined;
  private readonly lastSeqs: Record<string, number> = {};
  private stopped = false;
  acks = 0;

  constructor(
    private readonly url: string,
    private readonly userId: number,
    private readonly conversationId: number,
  ) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      const ws = new WebSocket(`${this.url}/?token=${encodeURIComponent(mintToken(SECRET, this.userId))}`);
      this.ws = ws;
      ws.on('error', () => {});
      ws.on('message', (data) => this.onFrame(ws, JSON.parse(data.toString()) as ServerFrame));
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'sync', ...(this.statusCursor === undefined ? {} : { statusCursor: this.statusCursor, lastSeqs: this.lastSeqs }) }));
        // spread the reconnects over the period, so the load stays steady
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, RECONNECT_EVERY_MS * (0.5 + Math.random())))]);
      }
      ws.close();
      await closed;
    }
  }

  send(n: number): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'send', tempId: `s${this.userId}-${n}`, conversationId: this.conversationId, body: `soak ${n}` }));
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private onFrame(ws: WebSocket, frame: ServerFrame): void {
    if (frame.type === 'synced') this.statusCursor = frame.statusCursor;
    else if (frame.type === 'ack') this.acks += 1;
    else if (frame.type === 'msg' || frame.type === 'sync_batch') {
      const seq = frame.type === 'msg' ? frame.seq : Math.max(...frame.messages.map((message) => message.seq));
      this.lastSeqs[String(frame.conversationId)] = Math.max(this.lastSeqs[String(frame.conversationId)] ?? 0, seq);
      ws.send(JSON.stringify({ type: 'delivered', conversationId: frame.conversationId, upToSeq: seq }));
      ws.send(JSON.stringify({ type: 'read', conversationId: frame.conversationId, upToSeq: seq }));
    }
  }
}

/** least-squares slope of (minutes, MiB) */
function slopePerMinute(samples: { atMs: number; mib: number }[]): number {
  if (samples.length < 2) return Number.NaN;
  const xs = samples.map((sample) => sample.atMs / 60_000);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = samples.reduce((a, sample) => a + sample.mib, 0) / samples.length;
  let num = 0;
  let den = 0;
  samples.forEach((sample, i) => {
    num += (xs[i]! - mx) * (sample.mib - my);
    den += (xs[i]! - mx) ** 2;
  });
  return num / den;
}

export default async function bench({ log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const seconds = setting('CHATBENCH_SOAK_SECONDS', 120);
  const pairs = setting('CHATBENCH_SOAK_PAIRS', 100);
  const rate = setting('CHATBENCH_SOAK_RATE', 200);
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  try {
    const database = await prepareModelDatabase(postgres.url, getModel('naive'));
    try {
      const users = Array.from({ length: pairs * 2 }, (_, i) => i + 1);
      await seedPopulation(database.setup.for('setup'), {
        users,
        conversations: Array.from({ length: pairs }, (_, i) => ({ id: i + 1, kind: 'direct' as const, members: [2 * i + 1, 2 * i + 2] })),
      });
      const node = await launchNode({ model: 'naive', dbUrl: database.url, secret: SECRET, host: '127.0.0.1', port: 0, nodeId: 'soak', poolSize: 8 });
      try {
        const clients = users.map((user) => new SoakClient(node.url, user, Math.ceil(user / 2)));
        const running = clients.map((client) => client.run());
        const started = Date.now();
        const samples: { atMs: number; mib: number }[] = [];
        const sampler = setInterval(() => samples.push({ atMs: Date.now() - started, mib: readRssMib(node.pid) }), 1000);
        // senders are the odd users; one message every 1000/rate ms, round robin
        let n = 0;
        const senders = clients.filter((_, i) => i % 2 === 0);
        const sender = setInterval(() => senders[n++ % senders.length]!.send(n), 1000 / rate);
        let lastLog = started;
        while (Date.now() - started < seconds * 1000) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (Date.now() - lastLog >= 15_000) {
            lastLog = Date.now();
            log(`${Math.round((Date.now() - started) / 1000)} s: RSS ${samples.at(-1)?.mib.toFixed(0)} MiB, ${clients.reduce((sum, client) => sum + client.acks, 0)} acks`);
          }
        }
        clearInterval(sender);
        clearInterval(sampler);
        for (const client of clients) client.stop();
        await Promise.all(running);
        const acks = clients.reduce((sum, client) => sum + client.acks, 0);
        const mibs = samples.map((sample) => sample.mib);
        const secondHalf = samples.filter((sample) => sample.atMs >= (seconds * 1000) / 2);
        return [
          { label: 'soak: server RSS at start', value: round2(mibs[0] ?? Number.NaN), unit: 'MiB' },
          { label: 'soak: server RSS at end', value: round2(mibs.at(-1) ?? Number.NaN), unit: 'MiB' },
          { label: 'soak: server RSS max', value: round2(Math.max(...mibs)), unit: 'MiB' },
          { label: 'soak: server RSS drift, second half', value: round2(slopePerMinute(secondHalf)), unit: 'MiB/min', note: 'after warm-up; near 0 when nothing leaks' },
          { label: 'soak: messages acked', value: acks, unit: 'messages', note: `${seconds} s, ${pairs} pairs, ${rate}/s` },
        ];
      } finally {
        await node.stop();
      }
    } finally {
      await database.pool.end();
      await database.drop();
    }
  } finally {
    await postgres.stop();
  }
}
