// The phase barrier for k6 VUs: a tiny HTTP server the VUs long-poll. A plan's phases must run
// one after another with every client of a phase done (and settled) before the next begins, and
// the orchestrator must see each boundary (WAL marks); k6 has no barrier across VUs, let alone
// across k6 processes run with execution segments, so they meet here instead.
//
// Protocol (JSON over POST; 202 means "not yet, ask again", which keeps every request short):
//   /phase/<i>/start {vu}            -> {startAt} once every VU has arrived and the phase is released,
//                                       or {stop: true} when the run stops early
//   /phase/<i>/done  {vu, actions, error?}
//   /finish          {vu}            -> {} once the driver has measured the load generators
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const COORDINATOR_DEFAULTS = {
  /** how long a request is held before "ask again" (well under k6's request timeout) */
  holdMs: 15_000,
  host: '127.0.0.1',
};

interface Gate<T> {
  arrived: Set<number>;
  all: Deferred<void>;
  answer: T | undefined;
  waiting: ((answer: T) => void)[];
}

interface PhaseReport {
  actions: Record<string, number>;
  errors: string[];
}

class Deferred<T> {
  resolve!: (value: T) => void;
  readonly promise = new Promise<T>((resolve) => (this.resolve = resolve));
}

export class PhaseCoordinator {
  private server: Server | undefined;
  private readonly starts = new Map<number, Gate<{ startAt?: number; stop?: boolean }>>();
  private readonly dones = new Map<number, { vus: Set<number>; report: PhaseReport; all: Deferred<PhaseReport> }>();
  private readonly finish: Gate<Record<string, never>>;
  private stopped = false;

  constructor(
    /** VUs over every k6 process of the run */
    readonly totalVus: number,
    private readonly options: { host?: string; port?: number; holdMs?: number } = {},
  ) {
    if (!Number.isInteger(totalVus) || totalVus < 1) throw new Error(`coordinator: totalVus must be a positive integer, got ${totalVus}`);
    this.finish = this.newGate();
  }

  async listen(): Promise<string> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? COORDINATOR_DEFAULTS.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  /** every VU has asked to start phase `index` (so every VU finished the phase before) */
  arrived(index: number): Promise<void> {
    return this.startGate(index).all.promise;
  }

  release(index: number, startAt: number): void {
    this.open(this.startGate(index), { startAt });
  }

  /** every VU reported phase `index` done: their action counts summed, their errors */
  done(index: number): Promise<PhaseReport> {
    return this.doneEntry(index).all.promise;
  }

  /** a failed phase ends the run: VUs waiting for a later phase are told to stop */
  stop(): void {
    this.stopped = true;
    for (const gate of this.starts.values()) if (!gate.answer) this.open(gate, { stop: true });
  }

  /** every VU waits at the end (its process still alive, so it can be measured) */
  finishing(): Promise<void> {
    return this.finish.all.promise;
  }

  releaseFinish(): void {
    this.open(this.finish, {});
  }

  async close(): Promise<void> {
    this.stop();
    this.releaseFinish();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private newGate<T>(): Gate<T> {
    return { arrived: new Set(), all: new Deferred(), answer: undefined, waiting: [] };
  }

  private startGate(index: number): Gate<{ startAt?: number; stop?: boolean }> {
    let gate = this.starts.get(index);
    if (!gate) {
      this.starts.set(index, (gate = this.newGate()));
      if (this.stopped) gate.answer = { stop: true };
    }
    return gate;
  }

  private doneEntry(index: number) {
    let entry = this.dones.get(index);
    if (!entry) this.dones.set(index, (entry = { vus: new Set(), report: { actions: {}, errors: [] }, all: new Deferred() }));
    return entry;
  }

  private open<T>(gate: Gate<T>, answer: T): void {
    if (gate.answer) return;
    gate.answer = answer;
    for (const waiter of gate.waiting.splice(0)) waiter(answer);
  }

  private arrive<T>(gate: Gate<T>, vu: number, response: ServerResponse): void {
    gate.arrived.add(vu);
    if (gate.arrived.size >= this.totalVus) gate.all.resolve();
    if (gate.answer) return reply(response, 200, gate.answer);
    const answer = (value: T) => {
      clearTimeout(timer);
      reply(response, 200, value);
    };
    const timer = setTimeout(() => {
      gate.waiting = gate.waiting.filter((waiter) => waiter !== answer);
      reply(response, 202, { wait: true });
    }, this.options.holdMs ?? COORDINATOR_DEFAULTS.holdMs);
    gate.waiting.push(answer);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = (await readJson(request)) as { vu?: unknown; actions?: Record<string, number>; error?: string };
      const vu = Number(body.vu);
      if (request.method !== 'POST' || !Number.isInteger(vu) || vu < 0 || vu >= this.totalVus) {
        return reply(response, 400, { error: `expected POST with a vu from 0 to ${this.totalVus - 1}` });
      }
      const path = request.url ?? '';
      const phase = /^\/phase\/(\d+)\/(start|done)$/.exec(path);
      if (phase) {
        const index = Number(phase[1]);
        if (phase[2] === 'start') return this.arrive(this.startGate(index), vu, response);
        const entry = this.doneEntry(index);
        if (!entry.vus.has(vu)) {
          entry.vus.add(vu);
          for (const [action, count] of Object.entries(body.actions ?? {})) entry.report.actions[action] = (entry.report.actions[action] ?? 0) + count;
          if (body.error) entry.report.errors.push(body.error);
          if (entry.vus.size >= this.totalVus) entry.all.resolve(entry.report);
        }
        return reply(response, 200, {});
      }
      if (path === '/finish') return this.arrive(this.finish, vu, response);
      reply(response, 404, { error: `unknown path ${path}` });
    } catch (error) {
      reply(response, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.writableEnded) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error('request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}
