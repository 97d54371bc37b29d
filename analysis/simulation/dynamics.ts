// The discrete-event layer applied to a workload: one chat-server process at its share of the
// peak load, with the database capacity its traffic gets, and a reconnect storm on one node.
// Where averages mislead (queues near saturation, a burst of reconnects), this says how long.
import { seededRandom } from '../../scenarios/plan.ts';
import type { ModelFigures } from './analytic.ts';
import type { ModelCalibration } from './calibration.ts';
import { quantile } from './des.ts';
import { poissonArrivals, saturation, simulateNode, type Arrival } from './latency-model.ts';
import { values, type Workload } from './workload.ts';

export const DYNAMICS_DEFAULTS = {
  /** seconds of peak traffic simulated per process */
  seconds: 5,
};

export interface Dynamics {
  /** one chat-server process (one core) at its share of the peak */
  peak: {
    actionsPerSecond: number;
    databaseServers: number;
    ackMs: { p50: number; p99: number };
    receiptMs: { p50: number; p99: number };
    utilisation: { node: number; database: number };
    saturatesAt: { perSecond: number; bottleneck: 'node' | 'database' };
  };
  storm: { users: number; windowSeconds: number; syncedMs: { p50: number; p99: number }; peakRowsReadPerSecond: number; databaseServers: number };
}

interface KindShape {
  kind: string;
  perDay: number;
  framesOut: number;
  statements: number;
  rowsRead: number;
}

function shapes(figures: ModelFigures, day: { messages: number; copies: number }): KindShape[] {
  return Object.entries(figures.actions).map(([kind, priced]) => {
    const count = priced.figures.count || 1;
    // a send writes its ack and a copy to each recipient besides any status events
    const extra = kind === 'send' ? 1 + day.copies / Math.max(1, day.messages) : 0;
    return {
      kind,
      perDay: priced.figures.count,
      framesOut: priced.figures['ws.events_pushed'] / count + extra,
      statements: priced.figures['db.statements'] / count,
      rowsRead: priced.figures['db.rows_read'] / count,
    };
  });
}

export function workloadDynamics(fitted: ModelCalibration, figures: ModelFigures, workload: Workload, day: { messages: number; copies: number }, seed: number): Dynamics {
  const v = values(workload);
  const kinds = shapes(figures, day).filter((shape) => shape.perDay > 0);
  const processes = Math.max(1, figures.chatServers.needed * v.chatServerCores);
  const perProcess = kinds.map((shape) => ({ kind: shape.kind, perSecond: ((shape.perDay / 86_400) * v.peakToAverage) / processes, framesOut: shape.framesOut, statements: shape.statements }));
  // the database capacity one process's traffic gets: every database core over every process
  const databaseServers = Math.max(1, Math.round((fitted.capacity.databaseCores * figures.databaseNodes.nodes) / processes));
  const arrivals = poissonArrivals(perProcess, DYNAMICS_DEFAULTS.seconds, seed);
  const run = simulateNode(fitted, arrivals, { seed: seed + 1, databaseServers });
  const total = perProcess.reduce((sum, rate) => sum + rate.perSecond, 0);
  const pick = (kind: string) => run.latency[kind] ?? { p50: 0, p99: 0 };
  return {
    peak: {
      actionsPerSecond: total,
      databaseServers,
      ackMs: { p50: pick('send').p50, p99: pick('send').p99 },
      receiptMs: { p50: pick('read').p50, p99: pick('read').p99 },
      utilisation: run.utilisation,
      saturatesAt: saturation(fitted, perProcess.map((rate) => ({ kind: rate.kind, share: rate.perSecond / total, framesOut: rate.framesOut, statements: rate.statements })), databaseServers),
    },
    storm: reconnectStorm(fitted, kinds.find((shape) => shape.kind === 'reconnect'), v.stormUsers, v.stormWindowSeconds, seed + 2),
  };
}

/** N users reconnect to one node within a window, with one database node behind it. */
export function reconnectStorm(fitted: ModelCalibration, reconnect: KindShape | undefined, users: number, windowSeconds: number, seed: number): Dynamics['storm'] {
  const databaseServers = fitted.capacity.databaseCores;
  if (!reconnect) return { users, windowSeconds, syncedMs: { p50: 0, p99: 0 }, peakRowsReadPerSecond: 0, databaseServers };
  const random = seededRandom(seed);
  // the client's sync frame in; the conversations list, status frames and `synced` out
  const arrivals: Arrival[] = Array.from({ length: users }, () => ({ atMs: random() * windowSeconds * 1000, kind: 'reconnect', framesOut: reconnect.framesOut + 2, statements: reconnect.statements })).sort((a, b) => a.atMs - b.atMs);
  const run = simulateNode(fitted, arrivals, { seed: seed + 1, databaseServers, warmUp: false });
  const synced = run.jobs.map((job) => job.doneMs - job.arrivalMs);
  const perSecond = new Map<number, number>();
  for (const job of run.jobs) {
    const second = Math.floor(job.doneMs / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + reconnect.rowsRead);
  }
  return { users, windowSeconds, syncedMs: { p50: quantile(synced, 0.5), p99: quantile(synced, 0.99) }, peakRowsReadPerSecond: Math.max(0, ...perSecond.values()), databaseServers };
}
