// The built-in driver: simulated clients on `ws`, spread over worker processes so that no
// process holds more sockets than it may open files.
import type { ChildProcess } from 'node:child_process';
import { forkBundled } from '../../reference-server/child-bundle.ts';
import { WORKER_EXEC_ARGV } from './worker-flags.ts';
import { fileURLToPath } from 'node:url';
import { planClients, type Plan } from '../../scenarios/plan.ts';
import { combineReports } from '../outcome.ts';
import { generatorConfig, type DriverContext, type DriverOutcome, type LoadDriver, type PreparedLoad } from '../types.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

export const NODE_DRIVER_DEFAULTS = {
  /** sockets per worker process: well under the ~20,000 open files one process may hold */
  clientsPerWorker: 8000,
};

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url));

class WorkerHandle {
  private listeners: ((message: WorkerMessage) => void)[] = [];
  private exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: WorkerMessage) => {
      for (const listener of [...this.listeners]) listener(message);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  send(message: ParentMessage): void {
    this.child.send(message);
  }

  /** the next message of a type, or an error if the worker dies first */
  next<T extends WorkerMessage['type']>(type: T, onOther?: (message: WorkerMessage) => void): Promise<Extract<WorkerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const listener = (message: WorkerMessage) => {
        if (message.type !== type) return onOther?.(message);
        this.listeners = this.listeners.filter((entry) => entry !== listener);
        resolve(message as Extract<WorkerMessage, { type: T }>);
      };
      this.listeners.push(listener);
      void this.exited.then((code) => reject(new Error(`load worker exited (code ${code}) before sending "${type}"`)));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

export interface NodeDriverOptions {
  clientsPerWorker?: number;
}

/** Worker processes forked for a plan; the first `execute` of that plan takes them. */
class PreparedWorkers implements PreparedLoad {
  claimed = false;
  private readonly forked: Promise<WorkerHandle[]>;

  constructor(
    readonly plan: Plan,
    shardCount: number,
  ) {
    this.forked = forkWorkers(shardCount);
    // nobody may ever await them (the run failed before its first phase): dispose still stops them
    this.forked.catch(() => {});
  }

  claim(): Promise<WorkerHandle[]> {
    this.claimed = true;
    return this.forked;
  }

  async dispose(): Promise<void> {
    const workers = await this.forked.catch(() => [] as WorkerHandle[]);
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

function forkWorkers(shardCount: number): Promise<WorkerHandle[]> {
  return Promise.all(
    Array.from(
      { length: shardCount },
      async () => new WorkerHandle(await forkBundled(WORKER_PATH, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: WORKER_EXEC_ARGV })),
    ),
  );
}

export function createNodeDriver(options: NodeDriverOptions = {}): LoadDriver {
  const clientsPerWorker = options.clientsPerWorker ?? NODE_DRIVER_DEFAULTS.clientsPerWorker;
  if (!Number.isInteger(clientsPerWorker) || clientsPerWorker < 1) throw new Error(`node driver: clientsPerWorker must be a positive integer, got ${clientsPerWorker}`);
  const shardsOf = (plan: Plan) => Math.max(1, Math.ceil(planClients(plan).length / clientsPerWorker));
  return {
    id: 'node',
    async unavailable() {
      return undefined;
    },
    prepare: (plan) => new PreparedWorkers(plan, shardsOf(plan)),
    execute(context, prepared) {
      const ready = prepared instanceof PreparedWorkers && prepared.plan === context.plan && !prepared.claimed ? prepared.claim() : forkWorkers(shardsOf(context.plan));
      return execute(context, ready);
    },
  };
}

export const nodeDriver = createNodeDriver();

async function execute(context: DriverContext, forked: Promise<WorkerHandle[]>): Promise<DriverOutcome> {
  const workers = await forked;
  const shardCount = workers.length;
  try {
    await Promise.all(
      workers.map((worker, shardIndex) => {
        const ready = worker.next('ready');
        worker.send({
          type: 'init',
          config: { ...generatorConfig(context), shardIndex, shardCount, runStart: context.runStart },
        });
        return ready;
      }),
    );
    const phaseErrors: string[] = [];
    for (const [index, phase] of context.plan.phases.entries()) {
      await context.onPhaseStart?.(index);
      // a common start time in the near future, so every worker's schedule lines up
      const startAt = Date.now() + 50;
      const progress = new Map<number, { done: number; total: number }>();
      const results = await Promise.all(
        workers.map((worker, shard) => {
          const done = worker.next('phaseDone', (message) => {
            if (message.type !== 'progress') return;
            progress.set(shard, message);
            const sum = [...progress.values()].reduce((acc, entry) => ({ done: acc.done + entry.done, total: acc.total + entry.total }), { done: 0, total: 0 });
            context.progress?.(`${phase.name}: ${sum.done}/${sum.total} clients`);
          });
          worker.send({ type: 'phase', index, startAt });
          return done;
        }),
      );
      const actions: Record<string, number> = {};
      let unfinished = false;
      for (const result of results) {
        for (const [action, count] of Object.entries(result.actions)) actions[action] = (actions[action] ?? 0) + count;
        if (result.error) phaseErrors.push(result.error);
        unfinished ||= result.error !== undefined;
        // failed clients make the run inconsistent, but every other client is still counted
        if (result.failure) phaseErrors.push(result.failure);
      }
      await context.onPhaseEnd?.(index, actions);
      // a phase that did not finish leaves later phases without the state they need
      if (unfinished) break;
    }
    const finals = await Promise.all(
      workers.map((worker) => {
        const final = worker.next('final');
        worker.send({ type: 'finish' });
        return final;
      }),
    );
    const outcome: DriverOutcome = {
      ...combineReports(finals, context.model, context.runStart),
      phaseErrors,
      generator: { processes: shardCount, cpuMs: 0, rssBytes: 0 },
    };
    for (const final of finals) {
      outcome.generator.cpuMs += final.memory.cpuMs;
      outcome.generator.rssBytes += final.memory.rssBytes;
    }
    return outcome;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

