// A model's results from what a run brought back: the load generators' outcome, the server
// nodes' counters, the database's own account, WAL and the phases. One place, so a run on this
// machine and a cluster run brought back by `chatbench k6 collect` are stored alike.
import { summariseByMetric } from '../analysis/quantiles.ts';
import { loadOf } from '../analysis/saturation.ts';
import { ACTION_FIGURES, ACTION_KINDS, type ActionKind } from '../analysis/metric-names.ts';
import type { ActionFigures, ModelResult, Phase, Sample, TimelinePoint } from '../analysis/results-schema.ts';
import type { AuditReport } from '../reference-server/db/audit.ts';
import type { ActionCounters } from '../reference-server/db/query-layer.ts';
import { compareTables, type DbTruthSnapshot } from '../reference-server/db/truth.ts';
import type { ServerMetricsSnapshot } from '../reference-server/metrics.ts';
import type { NodeMetricsSnapshot } from '../reference-server/server.ts';
import type { Plan } from '../scenarios/plan.ts';
import { receiptCosts } from '../analysis/receipt-costs.ts';
import type { StoredCheck } from './checks.ts';
import { HDR_FORMAT, mergeHistograms } from './recorder.ts';
import type { DriverOutcome } from './types.ts';
import type { WalReport } from './wal-meter.ts';

export interface ModelResultInputs {
  plan: Plan;
  outcome: DriverOutcome;
  snapshots: NodeMetricsSnapshot[];
  /** what was written outside the nodes (migrations, seeding, bulk history), per action, counted at the query layer */
  setup: Record<string, ActionCounters>;
  /** the database's counters over the same span, or why there are none */
  truth: DbTruthSnapshot | undefined;
  checkError?: string;
  wal: WalReport;
  phases: Phase[];
  /** ticks re-derived from the stored state, and what it no longer backs of what senders were shown */
  serverCheck: StoredCheck;
  wallMs: number;
  /** the model's options as the run used them */
  modelOptions?: Record<string, number>;
}

export function buildModelResult(inputs: ModelResultInputs): { result: ModelResult; samples: Sample[] } {
  const { plan, outcome, snapshots, truth, checkError, phases, serverCheck, wallMs } = inputs;
  const appTables = tablesWritten([inputs.setup, ...snapshots.map((snapshot) => snapshot.db)]);
  const appRowsWritten = Object.values(appTables).reduce((sum, rows) => sum + rows, 0);
  const tableMismatches = truth ? compareTables(appTables, truth) : [];
  const audit = mergeAudits(snapshots);
  const samples = outcome.latency.flatMap((part) => part.samples);
  const sampleCounts: Record<string, number> = {};
  for (const sample of samples) sampleCounts[sample.metric] = (sampleCounts[sample.metric] ?? 0) + 1;
  const clientCheck = checkClientTicks(plan, outcome);
  const otherMismatches = [...serverCheck.mismatches, ...receiptsMissing(outcome)];
  const mismatchCount = clientCheck.count + otherMismatches.length;
  const mismatches = [...clientCheck.examples, ...otherMismatches];
  // nearest rank over the raw samples: the one quantile definition (analysis/quantiles.ts)
  const latency = summariseByMetric(samples);
  // per metric: did the server keep up with the schedule, or is this latency a queue's
  for (const [metric, summary] of Object.entries(latency)) {
    const load = loadOf(samples.filter((sample) => sample.metric === metric));
    if (load && summary) summary.load = load;
  }
  // receipts that never arrived have no latency, so they are counted beside it
  if (outcome.receipts.missing > 0 || latency['latency.receipt']) {
    latency['latency.receipt'] = { ...(latency['latency.receipt'] ?? { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }), missing: outcome.receipts.missing };
  }
  const actions = actionFigures(outcome, snapshots);
  const result: ModelResult = {
    ...(inputs.modelOptions ? { options: inputs.modelOptions } : {}),
    actions,
    receipts: receiptCosts(actions),
    latency,
    latency_hdr: { format: HDR_FORMAT, histograms: mergeHistograms(outcome.latency) },
    db: {
      app_rows_written: appRowsWritten,
      tuples_written: truth?.tuplesWritten ?? 0,
      wal_bytes: phases.reduce((sum, phase) => sum + phase.wal_bytes, 0),
      consistent: truth !== undefined && appRowsWritten === truth.tuplesWritten && tableMismatches.length === 0 && audit.mismatches === 0,
      tables: Object.fromEntries(
        Object.entries(truth?.tables ?? {}).map(([table, counters]) => [
          table,
          { ins: counters.ins, upd: counters.upd, del: counters.del, rows: counters.rows, app_rows_written: appTables[table] ?? 0, bytes: counters.bytes },
        ]),
      ),
      table_mismatches: tableMismatches,
      audit,
      wal: inputs.wal,
      ...(checkError ? { check_error: checkError } : {}),
    },
    errors: mergeErrors(outcome, snapshots),
    // frames sent again after a failover: the server counted their statements under the action,
    // the clients did not count them as actions, so per-action figures of a fault run read with these
    ...(outcome.resends && Object.keys(outcome.resends).length > 0 ? { resends: outcome.resends } : {}),
    check: {
      ticks_consistent: mismatchCount === 0 && outcome.phaseErrors.length === 0,
      messages_checked: outcome.ticks.checked + serverCheck.checked,
      mismatches: mismatchCount,
      examples: [...outcome.phaseErrors, ...mismatches].slice(0, 10),
      acked_receipts_lost: serverCheck.lost,
      acked_receipts_checked: serverCheck.checked,
    },
    server: {
      cpu_ms: snapshots.reduce((sum, snapshot) => sum + snapshot.process.cpu_ms, 0),
      rss_max_bytes: Math.max(...snapshots.map((snapshot) => snapshot.process.rss_max_bytes)),
      event_loop_lag_p99_ms: Math.max(...snapshots.map((snapshot) => snapshot.process.event_loop_lag_p99_ms)),
      db_ms: dbTime(snapshots),
    },
    phases,
    timeline: mergeTimelines(snapshots),
    wallMs,
    samples: sampleCounts,
  };
  return { result, samples };
}

/** Database time per action over every node, as the query layer timed its statements. */
function dbTime(snapshots: ServerMetricsSnapshot[]): Record<string, number> {
  const time: Record<string, number> = {};
  for (const snapshot of snapshots) {
    for (const [action, counters] of Object.entries(snapshot.db)) time[action] = (time[action] ?? 0) + (counters.timeMs ?? 0);
  }
  return Object.fromEntries(Object.entries(time).map(([action, ms]) => [action, Math.round(ms * 1000) / 1000]));
}

/** A receipt that never reached its sender is a tick the sender never saw turn: a mismatch. */
function receiptsMissing(outcome: DriverOutcome): string[] {
  if (outcome.receipts.missing === 0) return [];
  return [`${outcome.receipts.missing} receipts never arrived (latency.receipt.missing), e.g. ${outcome.receipts.examples[0] ?? '?'}`];
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

/** Every conversation the plan expects holds exactly its messages, each with the expected tick. */
function checkClientTicks(plan: Plan, outcome: DriverOutcome): { count: number; examples: string[] } {
  const examples = [...outcome.ticks.mismatches];
  let count = outcome.ticks.mismatched ?? examples.length;
  for (const expected of plan.expected) {
    const held = outcome.ticks.ownMessages[expected.conversationId] ?? 0;
    if (held === expected.messages) continue;
    count += 1;
    if (examples.length < 10) examples.push(`conversation ${expected.conversationId}: senders hold ${held} acked messages, plan sent ${expected.messages}`);
  }
  return { count, examples };
}

