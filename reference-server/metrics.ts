// Server-side counters: status traffic per action, errors, connections, a per-second timeline,
// CPU, RSS and event-loop lag. Read by the run orchestrator through GET /metrics.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ActionCounters } from './db/query-layer.ts';

export interface PushCounters {
  events: number;
  bytes: number;
}

export interface TimelineBucket {
  t: number;
  connections: number;
  connects: number;
  events_pushed: number;
  bytes_pushed: number;
}

export interface ServerMetricsSnapshot {
  nodeId: string;
  model: string;
  db: Record<string, ActionCounters>;
  pushes: Record<string, PushCounters>;
  /** actions the server did on its own (a model's flush), beside the clients' actions */
  actions: Record<string, number>;
  framesOut: number;
  errors: Record<string, number>;
  connections: { open: number; total: number };
  timeline: TimelineBucket[];
  process: { cpu_ms: number; rss_max_bytes: number; event_loop_lag_p99_ms: number };
}

export class ServerMetrics {
  readonly pushes = new Map<string, PushCounters>();
  readonly errors = new Map<string, number>();
  readonly actions = new Map<string, number>();
  framesOut = 0;
  openConnections = 0;
  totalConnections = 0;
  private timelineStart = Date.now();
  private readonly timeline = new Map<number, TimelineBucket>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly cpuStart = process.cpuUsage();
  private rssMax = process.memoryUsage.rss();
  private readonly rssTimer: NodeJS.Timeout;

  constructor() {
    this.loopDelay.enable();
    this.rssTimer = setInterval(() => {
      this.bucket().connections = this.openConnections;
      // reading RSS opens /proc/self/stat: with every descriptor taken (EMFILE) it throws, and a
      // throw from a timer would take the node down mid-storm; it is counted as a figure instead
      try {
        this.rssMax = Math.max(this.rssMax, process.memoryUsage.rss());
      } catch (error) {
        this.error(resourceErrorCode(error));
      }
    }, 250);
    this.rssTimer.unref();
  }

  private bucket(): TimelineBucket {
    const t = Math.floor((Date.now() - this.timelineStart) / 1000);
    let bucket = this.timeline.get(t);
    if (!bucket) this.timeline.set(t, (bucket = { t, connections: this.openConnections, connects: 0, events_pushed: 0, bytes_pushed: 0 }));
    return bucket;
  }

  /** the orchestrator restarts the timeline at the start of each measured run */
  resetTimeline(): void {
    this.timeline.clear();
    this.timelineStart = Date.now();
  }

  pushed(action: string, bytes: number): void {
    let counters = this.pushes.get(action);
    if (!counters) this.pushes.set(action, (counters = { events: 0, bytes: 0 }));
    counters.events += 1;
    counters.bytes += bytes;
    const bucket = this.bucket();
    bucket.events_pushed += 1;
    bucket.bytes_pushed += bytes;
  }

  connected(): void {
    this.openConnections += 1;
    this.totalConnections += 1;
    const bucket = this.bucket();
    bucket.connects += 1;
    bucket.connections = this.openConnections;
  }

  disconnected(): void {
    this.openConnections -= 1;
    this.bucket().connections = this.openConnections;
  }

  counted(action: string): void {
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  snapshot(nodeId: string, model: string, db: Record<string, ActionCounters>): ServerMetricsSnapshot {
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      nodeId,
      model,
      db,
      pushes: Object.fromEntries([...this.pushes].map(([action, counters]) => [action, { ...counters }])),
      actions: Object.fromEntries(this.actions),
      framesOut: this.framesOut,
      errors: Object.fromEntries(this.errors),
      connections: { open: this.openConnections, total: this.totalConnections },
      timeline: [...this.timeline.values()].sort((a, b) => a.t - b.t),
      process: {
        cpu_ms: (cpu.user + cpu.system) / 1000,
        rss_max_bytes: this.rssMax,
        event_loop_lag_p99_ms: this.loopDelay.percentile(99) / 1e6,
      },
    };
  }

  stop(): void {
    clearInterval(this.rssTimer);
    this.loopDelay.disable();
  }
}

/** `emfile`, `enfile`, `enomem`…: the system error's code as a figure name, `resource` when it has none. */
export function resourceErrorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code.toLowerCase() : 'resource';
}
