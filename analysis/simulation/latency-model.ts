// A chat node and its database as queues: each action takes server CPU (fitted from measured
// runs: per frame in, per frame out, per statement) on the node's one event loop, then database
// time (the query layer's measured time per statement of its kind) on the database's cores.
// Service times are exponential around those means, drawn from a seeded generator.
import { seededRandom } from '../../scenarios/plan.ts';
import type { ModelCalibration } from './calibration.ts';
import { exponential, quantile, simulate, type Job } from './des.ts';
import { evaluateFloat } from './least-squares.ts';

/** One action as the queues see it: when it arrives and what it costs. */
export interface Arrival {
  atMs: number;
  kind: string;
  /** frames the server writes for it (acks, events, copies) */
  framesOut: number;
  statements: number;
}

export interface Demand {
  cpuMs: number;
  dbMs: number;
}

export function demand(fitted: ModelCalibration, arrival: Pick<Arrival, 'kind' | 'framesOut' | 'statements'>): Demand {
  const cpuMs = Math.max(0, evaluateFloat(fitted.service.cpu.coefficients, { framesIn: 1, framesOut: arrival.framesOut, statements: arrival.statements }));
  const perStatement = fitted.service.dbMsPerStatement[arrival.kind] ?? fitted.service.dbMsPerStatementAll;
  return { cpuMs, dbMs: arrival.statements * perStatement };
}

export interface LatencyResult {
  /** per action kind: response time quantiles, ms (overhead included) */
  latency: Record<string, { count: number; p50: number; p99: number }>;
  utilisation: { node: number; database: number };
  jobs: Array<{ kind: string; arrivalMs: number; doneMs: number }>;
}

export const LATENCY_DEFAULTS = {
  /** the first share of jobs warms the queues up from empty and is not measured */
  warmUpShare: 0.1,
};

/**
 * Runs arrivals through one node (one event loop) and a database of `databaseServers` cores.
 * `overheadMs` is added to every response: what the queues do not model (client, network).
 */
export function simulateNode(fitted: ModelCalibration, arrivals: readonly Arrival[], options: { seed: number; databaseServers: number; overheadMs?: number; warmUp?: boolean }): LatencyResult {
  const random = seededRandom(options.seed);
  let cpuBusy = 0;
  let dbBusy = 0;
  const jobs: Job[] = arrivals.map((arrival) => {
    const mean = demand(fitted, arrival);
    const cpu = mean.cpuMs > 0 ? exponential(random, mean.cpuMs) : 0;
    const db = mean.dbMs > 0 ? exponential(random, mean.dbMs) : 0;
    cpuBusy += cpu;
    dbBusy += db;
    return { arrivalMs: arrival.atMs, stages: [{ station: 'node', serviceMs: cpu }, ...(db > 0 ? [{ station: 'database', serviceMs: db }] : [])] };
  });
  const results = simulate(jobs, { node: 1, database: options.databaseServers });
  const overhead = options.overheadMs ?? 0;
  const skip = options.warmUp === false ? 0 : Math.floor(arrivals.length * LATENCY_DEFAULTS.warmUpShare);
  const byKind = new Map<string, number[]>();
  results.forEach((result, index) => {
    if (index < skip) return;
    const kind = arrivals[index]!.kind;
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = []));
    list.push(result.doneMs - result.arrivalMs + overhead);
  });
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const arrival of arrivals) {
    first = Math.min(first, arrival.atMs);
    last = Math.max(last, arrival.atMs);
  }
  const span = Math.max(1e-9, last - first);
  return {
    latency: Object.fromEntries([...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, values]) => [kind, { count: values.length, p50: quantile(values, 0.5), p99: quantile(values, 0.99) }])),
    utilisation: { node: cpuBusy / span, database: dbBusy / span / options.databaseServers },
    jobs: results.map((result, index) => ({ kind: arrivals[index]!.kind, arrivalMs: result.arrivalMs, doneMs: result.doneMs })),
  };
}

/** Poisson arrivals of each kind at its rate (per second) over `seconds`, in time order. */
export function poissonArrivals(rates: Array<{ kind: string; perSecond: number; framesOut: number; statements: number }>, seconds: number, seed: number): Arrival[] {
  const random = seededRandom(seed);
  const arrivals: Arrival[] = [];
  for (const rate of rates) {
    if (!(rate.perSecond > 0)) continue;
    for (let t = exponential(random, 1000 / rate.perSecond); t < seconds * 1000; t += exponential(random, 1000 / rate.perSecond)) {
      arrivals.push({ atMs: t, kind: rate.kind, framesOut: rate.framesOut, statements: rate.statements });
    }
  }
  return arrivals.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}

/** The total action rate at which the node or the database reaches 100% busy, for a fixed mix. */
export function saturation(fitted: ModelCalibration, mix: Array<{ kind: string; share: number; framesOut: number; statements: number }>, databaseServers: number): { perSecond: number; bottleneck: 'node' | 'database' } {
  let cpu = 0;
  let db = 0;
  for (const entry of mix) {
    const d = demand(fitted, entry);
    cpu += entry.share * d.cpuMs;
    db += entry.share * d.dbMs;
  }
  const byNode = cpu > 0 ? 1000 / cpu : Number.POSITIVE_INFINITY;
  const byDb = db > 0 ? (1000 * databaseServers) / db : Number.POSITIVE_INFINITY;
  return byNode <= byDb ? { perSecond: byNode, bottleneck: 'node' } : { perSecond: byDb, bottleneck: 'database' };
}
