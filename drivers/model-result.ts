// A model's results from what a run brought back: the load generators' outcome, the server
// nodes' counters, the database's own account and the phases. One place, so a run on this
// machine and a cluster run brought back by `chatbench k6 collect` are stored alike.
import { ACTION_FIGURES, ACTION_KINDS, type ActionKind } from '../analysis/metric-names.ts';
import type { ActionFigures, ModelResult, Phase, Sample, TimelinePoint } from '../analysis/results-schema.ts';
import type { DbTruthSnapshot } from '../reference-server/db/truth.ts';
import type { ServerMetricsSnapshot } from '../reference-server/metrics.ts';
import type { Plan } from '../scenarios/plan.ts';
import { mergeLatency } from './recorder.ts';
import type { DriverOutcome } from './types.ts';

export interface ModelResultInputs {
  plan: Plan;
  outcome: DriverOutcome;
  snapshots: ServerMetricsSnapshot[];
  /** rows written outside the servers (migrations, seeding, bulk history), counted at the query layer */
  setupRowsWritten: number;
  /** the database's counters over the same span as the app-side rows */
  truth: DbTruthSnapshot;
  phases: Phase[];
  /** ticks re-derived from the stored state */
  serverCheck: { mismatches: string[]; checked: number };
  wallMs: number;
}

export function buildModelResult(inputs: ModelResultInputs): { result: ModelResult; samples: Sample[] } {
  const { plan, outcome, snapshots, truth, phases, serverCheck, wallMs } = inputs;
  const appRowsWritten = inputs.setupRowsWritten + snapshots.reduce((sum, snapshot) => sum + sumRows(snapshot), 0);
  const latencySummary = mergeLatency(outcome.latency);
  const samples = outcome.latency.flatMap((part) => part.samples);
  const sampleCounts: Record<string, number> = {};
  for (const sample of samples) sampleCounts[sample.metric] = (sampleCounts[sample.metric] ?? 0) + 1;
  const clientCheck = checkClientTicks(plan, outcome);
  const mismatches = [...clientCheck.mismatches, ...serverCheck.mismatches, ...receiptsMissing(outcome)];
  // receipts that never arrived have no latency, so they are counted beside it
  if (outcome.receipts.missing > 0 || latencySummary['latency.receipt']) {
    latencySummary['latency.receipt'] = { ...(latencySummary['latency.receipt'] ?? { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }), missing: outcome.receipts.missing };
  }
  const result: ModelResult = {
    actions: actionFigures(outcome, snapshots),
    latency: latencySummary,
    db: {
      app_rows_written: appRowsWritten,
      tuples_written: truth.tuplesWritten,
      wal_bytes: phases.reduce((sum, phase) => sum + phase.wal_bytes, 0),
      consistent: appRowsWritten === truth.tuplesWritten,
      tables: Object.fromEntries(Object.entries(truth.tables).map(([table, counters]) => [table, { ins: counters.ins, upd: counters.upd, del: counters.del, rows: counters.rows }])),
    },
    errors: mergeErrors(outcome, snapshots),
    check: {
      ticks_consistent: mismatches.length === 0 && outcome.phaseErrors.length === 0,
      messages_checked: outcome.ticks.checked + serverCheck.checked,
      mismatches: mismatches.length,
      examples: [...outcome.phaseErrors, ...mismatches].slice(0, 10),
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
  return { result, samples };
}

function sumRows(snapshot: ServerMetricsSnapshot): number {
  return Object.values(snapshot.db).reduce((sum, counters) => sum + counters.rowsWritten, 0);
}

function actionFigures(outcome: DriverOutcome, snapshots: ServerMetricsSnapshot[]): ModelResult['actions'] {
  const actions: ModelResult['actions'] = {};
  for (const kind of ACTION_KINDS) {
    const figures: ActionFigures = { count: outcome.actions[kind] ?? 0, 'db.statements': 0, 'db.rows_written': 0, 'db.rows_read': 0, 'ws.events_pushed': 0, 'ws.bytes_pushed': 0 };
    for (const snapshot of snapshots) {
      const db = snapshot.db[kind];
      figures['db.statements'] += db?.statements ?? 0;
      figures['db.rows_written'] += db?.rowsWritten ?? 0;
      figures['db.rows_read'] += db?.rowsRead ?? 0;
      figures['ws.events_pushed'] += snapshot.pushes[kind]?.events ?? 0;
      figures['ws.bytes_pushed'] += snapshot.pushes[kind]?.bytes ?? 0;
    }
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
function checkClientTicks(plan: Plan, outcome: DriverOutcome): { mismatches: string[] } {
  const mismatches = [...outcome.ticks.mismatches];
  for (const expected of plan.expected) {
    const held = outcome.ticks.ownMessages[expected.conversationId] ?? 0;
    if (held !== expected.messages) mismatches.push(`conversation ${expected.conversationId}: senders hold ${held} acked messages, plan sent ${expected.messages}`);
  }
  return { mismatches };
}

/** A receipt that never reached its sender is a tick the sender never saw turn: a mismatch. */
function receiptsMissing(outcome: DriverOutcome): string[] {
  if (outcome.receipts.missing === 0) return [];
  return [`${outcome.receipts.missing} receipts never arrived (latency.receipt.missing), e.g. ${outcome.receipts.examples[0] ?? '?'}`];
}

