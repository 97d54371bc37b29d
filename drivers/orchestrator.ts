// Runs one model through one plan: a fresh database, seeded; server node processes; the driver;
// WAL marks per phase; then the cross-checks (ticks against the plan, app-side rows against the
// database's tuple counters) and the model's results. Every node's model is drained (what it
// buffers written to Postgres) before each WAL mark and before the checks, so a buffering model
// is measured exactly like the others.
import pg from 'pg';
import type { ModelResult, Sample } from '../analysis/results-schema.ts';
import { tolerateIdleErrors } from '../reference-server/db/connection-loss.ts';
import { seedPopulation } from '../reference-server/db/seed.ts';
import { readTupleCounters, TruthUnavailableError, type DbTruthSnapshot } from '../reference-server/db/truth.ts';
import { prepareModelDatabase } from '../reference-server/instance.ts';
import { connectRedis } from '../reference-server/cluster/redis-connect.ts';
import { defaultOptions } from '../reference-server/models/options.ts';
import { loadedModelModules } from '../reference-server/models/registry.ts';
import { standaloneContext, type ModelDefinition, type ReceiptModel } from '../reference-server/models/types.ts';
import type { Redis } from 'ioredis';
import { checkStoredTicks } from './checks.ts';
import { awaitDeadNodeCleanup, killBusiestNode, presenceReport, recoveryReport, registryReport, type KilledNode, type KillNodeAt } from '../reference-server/cluster/fault.ts';
import { launchNode, type NodeHandle } from '../reference-server/node-launcher.ts';
import type { Plan } from '../scenarios/plan.ts';
import { buildModelResult } from './model-result.ts';
import { phaseMarks, warmPlaced } from './phase-marks.ts';
import type { LoadDriver, PreparedLoad } from './types.ts';
import { WalMeter } from './wal-meter.ts';

export const ORCHESTRATOR_DEFAULTS = {
  poolSizePerNode: 16,
  host: '127.0.0.1',
};

export interface ModelRunOptions {
  model: ModelDefinition;
  /** validated; defaults fill what is absent */
  modelOptions?: Record<string, number>;
  plan: Plan;
  driver: LoadDriver;
  pgAdminUrl: string;
  /** the server runs nothing but this run (embedded Postgres), which the WAL figures say */
  postgresEmbedded?: boolean;
  nodes: number;
  secret: string;
  /** cluster mode: nodes share sessions, presence and routing through this Redis */
  redisUrl?: string;
  /** Redis key prefix of the run (the model id is added, so models never share sessions) */
  redisPrefix?: string;
  /** fault injection: SIGKILL the busiest node at this time */
  killNodeAt?: KillNodeAt;
  progress?: (line: string) => void;
}

export interface ModelRun {
  result: ModelResult;
  samples: Sample[];
}

export async function runModel(options: ModelRunOptions): Promise<ModelRun> {
  // the load generator's processes load their code while the database is prepared and seeded:
  // they need no server before the first phase
  const prepared = options.driver.prepare?.(options.plan);
  try {
    return await runPrepared(options, prepared);
  } finally {
    await prepared?.dispose();
  }
}

async function runPrepared(options: ModelRunOptions, prepared: PreparedLoad | undefined): Promise<ModelRun> {
  const { model, plan } = options;
  const progress = options.progress ?? (() => {});
  const modelOptions = { ...defaultOptions(model.id), ...options.modelOptions };
  progress(`${model.id}: preparing a fresh database`);
  const admin = tolerateIdleErrors(new pg.Client({ connectionString: options.pgAdminUrl }));
  await admin.connect();
  const wal = new WalMeter(admin, options.postgresEmbedded ?? false);
  let database: Awaited<ReturnType<typeof prepareModelDatabase>>;
  try {
    await wal.beginSetup();
    database = await prepareModelDatabase(options.pgAdminUrl, model);
  } catch (error) {
    await admin.end().catch(() => {});
    throw error;
  }
  const nodes: NodeHandle[] = [];
  let localRedis: Redis | undefined;
  let local: ReceiptModel | undefined;
  const live = () => nodes.filter((node) => node.alive);
  // a node killed while draining has nothing left to drain: only survivors must answer
  const drainNodes = () => Promise.all(live().map((node) => node.drain().catch((error: unknown) => {
    if (node.alive) throw error;
  })));
  try {
    if (model.capabilities.redis && !options.redisUrl) throw new Error(`model ${model.id} keeps its state in Redis: the run needs one`);
    if (model.capabilities.redis) localRedis = await connectRedis(options.redisUrl!, 'chatbench-orchestrator');
    // this process's own instance: bulk history and the stored-tick check (it never buffers an ack)
    local = model.create(standaloneContext(database.setup, modelOptions, localRedis));
    // nodes start (a second or more of module loading each) while the population is seeded: they
    // touch no table until a client connects, so seeding's WAL and counts are unchanged
    const launching = Promise.all(
      Array.from({ length: options.nodes }, async (_, index) => {
        const node = await launchNode({
          model: model.id,
          modelOptions,
          modelModules: loadedModelModules(),
          dbUrl: database.url,
          secret: options.secret,
          host: ORCHESTRATOR_DEFAULTS.host,
          port: 0,
          nodeId: `node-${index + 1}`,
          poolSize: ORCHESTRATOR_DEFAULTS.poolSizePerNode,
          ...(options.redisUrl ? { redisUrl: options.redisUrl, redisPrefix: `${options.redisPrefix ?? 'chatbench:'}${model.id}:` } : {}),
        });
        nodes[index] = node;
        return node;
      }),
    );
    // a failed seed still waits for the nodes, so `finally` stops every one that started
    const seeded = seedPopulation(database.setup.for('setup'), { users: plan.users, conversations: plan.conversations }).then(() => wal.setupDone(database.url));
    const [launched, seeding] = await Promise.allSettled([launching, seeded]);
    if (launched.status === 'rejected') throw launched.reason;
    if (seeding.status === 'rejected') throw seeding.reason;
    await Promise.all(nodes.map((node) => node.resetTimeline()));
    const runStart = Date.now();
    let killed: Promise<KilledNode | undefined> = Promise.resolve(undefined);
    let killTimer: NodeJS.Timeout | undefined;
    const scheduleKill = (afterMs: number) => {
      killTimer = setTimeout(() => {
        progress(`${model.id}: killing the busiest node (SIGKILL)`);
        killed = killBusiestNode(nodes).catch((error: unknown) => {
          progress(`${model.id}: could not kill a node: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
      }, afterMs);
    };
    if (options.killNodeAt && options.killNodeAt.phase === undefined) scheduleKill(options.killNodeAt.seconds * 1000);
    const warm = warmPlaced(plan, nodes.map((node) => (userIds: number[]) => node.warm(userIds)));
    const marks = phaseMarks({ plan, model: local, wal, setup: database.setup.for('setup'), runStart: () => runStart, drain: drainNodes, warm });
    const outcome = await options.driver.execute({
      plan,
      model: model.id,
      cachesSettings: model.client.cachesSettings,
      serverUrls: nodes.map((node) => node.url),
      secret: options.secret,
      runStart,
      progress: (line) => progress(`${model.id}: ${line}`),
      async onPhaseStart(index) {
        progress(`${model.id}: ${plan.phases[index]!.name}`);
        await marks.onPhaseStart(index);
        if (options.killNodeAt?.phase === index + 1) scheduleKill(options.killNodeAt.seconds * 1000);
      },
      onPhaseEnd: marks.onPhaseEnd,
    }, prepared);
    const wallMs = Date.now() - runStart;
    clearTimeout(killTimer);
    const killedNode = await killed;
    // before the counters are read and the stored state checked: nothing may stay buffered
    await drainNodes();
    // the dead node's sessions must go too: a survivor notices its missing heartbeat
    const cleanedAfterMs = killedNode ? await awaitDeadNodeCleanup(nodes.filter((node) => node.nodeId !== killedNode.nodeId), killedNode) : null;
    const snapshots = await Promise.all(
      nodes.map((node) => (node.nodeId === killedNode?.nodeId ? Promise.resolve(killedNode.lastSnapshot) : node.metrics())),
    );
    progress(`${model.id}: checking ticks against the plan`);
    const serverCheck = await checkStoredTicks(plan, local, database.setup.for('check'), {
      all: killedNode !== undefined,
      lossIsExpected: killedNode !== undefined && model.traits(modelOptions).durability === 'write-behind',
    });
    await Promise.all(nodes.map((node) => node.stop()));
    nodes.length = 0;
    await database.pool.end();
    const walReport = await wal.report();
    await wal.close();
    let truth: DbTruthSnapshot | undefined;
    let checkError: string | undefined;
    try {
      truth = await readTupleCounters(database.url);
    } catch (error) {
      if (!(error instanceof TruthUnavailableError)) throw error;
      checkError = error.message;
    }
    const { result, samples } = buildModelResult({
      plan,
      outcome,
      snapshots,
      setup: database.setup.snapshot(),
      truth,
      ...(checkError ? { checkError } : {}),
      wal: walReport,
      phases: marks.phases,
      serverCheck,
      wallMs,
      modelOptions,
    });
    const appRowsWritten = result.db.app_rows_written;
    // extra fields (the results contract welcomes them): cluster figures only where they apply
    if (options.nodes > 1 || snapshots.some((snapshot) => snapshot.presence.open.events > 0)) {
      Object.assign(result, { presence: presenceReport(snapshots) });
    }
    if (options.redisUrl) Object.assign(result, { cluster: { nodes: options.nodes, ...registryReport(snapshots) } });
    if (options.killNodeAt) {
      Object.assign(result, {
        recovery: killedNode
          ? {
              ...recoveryReport(killedNode, runStart, outcome.recoveries ?? []),
              sessions_cleaned_after_ms: cleanedAfterMs,
              // a buffering model's acks not yet in Postgres when it died: a bound on what it could lose
              ...(killedNode.lastSnapshot.pending ? { pending_at_kill: killedNode.lastSnapshot.pending } : {}),
              // rows the killed node wrote after its last counters were read died with it
              rows_unaccounted: (truth?.tuplesWritten ?? appRowsWritten) - appRowsWritten,
            }
          : { killed_node: null, note: 'the run ended before the kill time' },
      });
    }
    return { result, samples };
  } finally {
    await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
    await local?.close?.().catch(() => {});
    localRedis?.disconnect();
    await wal.close();
    await admin.end().catch(() => {});
    await database.drop().catch(() => {});
  }
}
