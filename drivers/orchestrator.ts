// Runs one model through one plan: a fresh database, seeded; server node processes; the driver;
// WAL marks per phase; then the cross-checks (ticks against the plan, app-side rows against the
// database's tuple counters) and the model's results. Every node's model is drained (what it
// buffers written to Postgres) before each WAL mark and before the checks, so a buffering model
// is measured exactly like the others.
import pg from 'pg';
import { ACTION_FIGURES, ACTION_KINDS, type ActionKind } from '../analysis/metric-names.ts';
import type { ActionFigures, ModelResult, Phase, Sample, TimelinePoint } from '../analysis/results-schema.ts';
import { importHistory } from '../reference-server/db/history.ts';
import { seedPopulation } from '../reference-server/db/seed.ts';
import { compareTables, readTupleCounters, TruthUnavailableError, type DbTruthSnapshot } from '../reference-server/db/truth.ts';
import type { AuditReport } from '../reference-server/db/audit.ts';
import { prepareModelDatabase } from '../reference-server/instance.ts';
import type { ServerMetricsSnapshot } from '../reference-server/metrics.ts';
import type { NodeMetricsSnapshot } from '../reference-server/server.ts';
import { connectRedis } from '../reference-server/cluster/redis-connect.ts';
import { defaultOptions } from '../reference-server/models/options.ts';
import { loadedModelModules } from '../reference-server/models/registry.ts';
import { standaloneContext, type ModelDefinition, type ReceiptModel } from '../reference-server/models/types.ts';
import type { Redis } from 'ioredis';
import { receiptCosts } from '../analysis/receipt-costs.ts';
import { checkClientTicks, checkStoredTicks } from './checks.ts';
import { awaitDeadNodeCleanup, killBusiestNode, presenceReport, recoveryReport, registryReport, type KilledNode, type KillNodeAt } from '../reference-server/cluster/fault.ts';
import { launchNode, type NodeHandle } from '../reference-server/node-launcher.ts';
import type { Plan } from '../scenarios/plan.ts';
import { summariseByMetric } from '../analysis/quantiles.ts';
import { HDR_FORMAT, mergeHistograms } from './recorder.ts';
import { WalMeter } from './wal-meter.ts';
import type { DriverOutcome, LoadDriver } from './types.ts';

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
  const { model, plan } = options;
  const progress = options.progress ?? (() => {});
  const modelOptions = { ...defaultOptions(model.id), ...options.modelOptions };
  progress(`${model.id}: preparing a fresh database`);
  const admin = new pg.Client({ connectionString: options.pgAdminUrl });
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
    await seedPopulation(database.setup.for('setup'), { users: plan.users, conversations: plan.conversations });
    await wal.setupDone(database.url);
    for (let index = 0; index < options.nodes; index++) {
      nodes.push(
        await launchNode({
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
        }),
      );
    }
    await Promise.all(nodes.map((node) => node.resetTimeline()));
    const conversationById = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
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
    const phases: Phase[] = [];
    let phaseStart = 0;
    const outcome = await options.driver.execute({
      plan,
      model: model.id,
      cachesSettings: model.client.cachesSettings,
      serverUrls: nodes.map((node) => node.url),
      secret: options.secret,
      runStart,
      progress: (line) => progress(`${model.id}: ${line}`),
      async onPhaseStart(index) {
        const phase = plan.phases[index]!;
        progress(`${model.id}: ${phase.name}`);
        // a bulk history is setup: its WAL is kept apart from the phase's; so is the ANALYZE
        // before every phase, since a phase's queries are planned on what the last one left
        const history = phase.history;
        // what the previous phase's acks left buffered belongs to that phase, not to this setup
        await drainNodes();
        await wal.setup(async () => {
          if (!history) return;
          await importHistory(
            database.setup.for('setup'),
            local!,
            history.map((item) => ({ conversation: conversationById.get(item.conversationId)!, senderId: item.senderId, messages: item.messages })),
          );
        });
        await wal.phaseStart();
        phaseStart = Date.now() - runStart;
        if (options.killNodeAt?.phase === index + 1) scheduleKill(options.killNodeAt.seconds * 1000);
      },
      async onPhaseEnd(index, actions) {
        await drainNodes();
        phases.push({ name: plan.phases[index]!.name, startMs: phaseStart, endMs: Date.now() - runStart, ...(await wal.phaseEnd()), actions });
      },
    });
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
    const appTables = tablesWritten([database.setup.snapshot(), ...snapshots.map((snapshot) => snapshot.db)]);
    const appRowsWritten = Object.values(appTables).reduce((sum, rows) => sum + rows, 0);
    let truth: DbTruthSnapshot | undefined;
    let checkError: string | undefined;
    try {
      truth = await readTupleCounters(database.url);
    } catch (error) {
      if (!(error instanceof TruthUnavailableError)) throw error;
      checkError = error.message;
    }
    const tableMismatches = truth ? compareTables(appTables, truth) : [];
    const audit = mergeAudits(snapshots);
    const samples = outcome.latency.flatMap((part) => part.samples);
    const sampleCounts: Record<string, number> = {};
    for (const sample of samples) sampleCounts[sample.metric] = (sampleCounts[sample.metric] ?? 0) + 1;
    const clientCheck = checkClientTicks(plan, outcome);
    const mismatches = [...clientCheck.mismatches, ...serverCheck.mismatches];
    const actions = actionFigures(outcome, snapshots);
    const result: ModelResult = {
      options: modelOptions,
      actions,
      receipts: receiptCosts(actions),
      // nearest rank over the raw samples: the one quantile definition (analysis/quantiles.ts)
      latency: summariseByMetric(samples),
      latency_hdr: { format: HDR_FORMAT, histograms: mergeHistograms(outcome.latency) },
      db: {
        app_rows_written: appRowsWritten,
        tuples_written: truth?.tuplesWritten ?? 0,
        wal_bytes: phases.reduce((sum, phase) => sum + phase.wal_bytes, 0),
        consistent: truth !== undefined && appRowsWritten === truth.tuplesWritten && tableMismatches.length === 0 && audit.mismatches === 0,
        tables: Object.fromEntries(
          Object.entries(truth?.tables ?? {}).map(([table, counters]) => [
            table,
            { ins: counters.ins, upd: counters.upd, del: counters.del, rows: counters.rows, app_rows_written: appTables[table] ?? 0 },
          ]),
        ),
        table_mismatches: tableMismatches,
        audit,
        wal: walReport,
        ...(checkError ? { check_error: checkError } : {}),
      },
      errors: mergeErrors(outcome, snapshots),
      check: {
        ticks_consistent: mismatches.length === 0 && outcome.phaseErrors.length === 0,
        messages_checked: outcome.ticks.checked + serverCheck.checked,
        mismatches: mismatches.length,
        examples: [...outcome.phaseErrors, ...mismatches].slice(0, 10),
        acked_receipts_lost: serverCheck.lost,
        acked_receipts_checked: serverCheck.checked,
      },
      server: {
        cpu_ms: snapshots.reduce((sum, snapshot) => sum + snapshot.process.cpu_ms, 0),
        rss_max_bytes: Math.max(...snapshots.map((snapshot) => snapshot.process.rss_max_bytes)),
        event_loop_lag_p99_ms: Math.max(...snapshots.map((snapshot) => snapshot.process.event_loop_lag_p99_ms)),
      },
      phases,
      timeline: mergeTimelines(snapshots),
      wallMs,
      samples: sampleCounts,
    };
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

/** Rows written per table over every counting layer of the run (setup and each node). */
function tablesWritten(layers: Record<string, { tables: Record<string, number> }>[]): Record<string, number> {
  const tables: Record<string, number> = {};
  for (const layer of layers) {
    for (const counters of Object.values(layer)) for (const [table, rows] of Object.entries(counters.tables)) tables[table] = (tables[table] ?? 0) + rows;
  }
  return tables;
}

function mergeAudits(snapshots: NodeMetricsSnapshot[]): AuditReport {
  const merged: AuditReport = { frames: {}, mismatches: 0, examples: [] };
  for (const { audit } of snapshots) {
    if (!audit) continue;
    for (const [action, frames] of Object.entries(audit.frames)) merged.frames[action] = (merged.frames[action] ?? 0) + frames;
    merged.mismatches += audit.mismatches;
    merged.examples.push(...audit.examples.slice(0, 10 - merged.examples.length));
  }
  return merged;
}

function actionFigures(outcome: DriverOutcome, snapshots: ServerMetricsSnapshot[]): ModelResult['actions'] {
  const actions: ModelResult['actions'] = {};
  for (const kind of ACTION_KINDS) {
    const figures: ActionFigures = { count: outcome.actions[kind] ?? 0, 'db.statements': 0, 'db.rows_written': 0, 'db.rows_read': 0, 'ws.events_pushed': 0, 'ws.bytes_pushed': 0 };
    let transactions = 0;
    for (const snapshot of snapshots) {
      // actions a server does on its own (a model's flush) are counted where they happen
      figures.count += snapshot.actions?.[kind] ?? 0;
      const db = snapshot.db[kind];
      transactions += db?.transactions ?? 0;
      figures['db.statements'] += db?.statements ?? 0;
      figures['db.rows_written'] += db?.rowsWritten ?? 0;
      figures['db.rows_read'] += db?.rowsRead ?? 0;
      figures['ws.events_pushed'] += snapshot.pushes[kind]?.events ?? 0;
      figures['ws.bytes_pushed'] += snapshot.pushes[kind]?.bytes ?? 0;
    }
    // BEGIN and COMMIT are round trips too, kept beside `db.statements` rather than in it
    if (transactions > 0) figures['db.transactions'] = transactions;
    if (ACTION_FIGURES.some((figure) => figures[figure] > 0) || figures.count > 0) actions[kind as ActionKind] = figures;
  }
  return actions;
}

function mergeErrors(outcome: DriverOutcome, snapshots: ServerMetricsSnapshot[]): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [code, count] of Object.entries(outcome.errors)) errors[`client.${code}`] = count;
  for (const snapshot of snapshots) for (const [code, count] of Object.entries(snapshot.errors)) errors[`server.${code}`] = (errors[`server.${code}`] ?? 0) + count;
  return errors;
}

function mergeTimelines(snapshots: ServerMetricsSnapshot[]): TimelinePoint[] {
  const byT = new Map<number, TimelinePoint>();
  for (const snapshot of snapshots) {
    for (const bucket of snapshot.timeline) {
      const point = byT.get(bucket.t) ?? { t: bucket.t, connections: 0, connects: 0, events_pushed: 0, bytes_pushed: 0 };
      point.connections += bucket.connections;
      point.connects += bucket.connects;
      point.events_pushed += bucket.events_pushed;
      point.bytes_pushed += bucket.bytes_pushed;
      byT.set(bucket.t, point);
    }
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}
