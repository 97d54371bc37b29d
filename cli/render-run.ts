// The table a run prints: per action, one line per model with its cost per action and its ratio
// against the baseline model (any number of models); then latency quantiles, receipt rows per
// ack, durability under a killed node, and the consistency checks.
import { queueingSentence } from '../analysis/saturation.ts';
import type { ActionFigures, ModelResult, RunResults } from '../analysis/results-schema.ts';
import { ACTION_KINDS, LATENCY_METRICS } from '../analysis/metric-names.ts';
import { baselineOf, comparedModels, perAction, ratioToBaseline } from '../analysis/model-comparison.ts';
import { renderRows } from './text-table.ts';

function fixed(value: number | undefined, digits = 2): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function exact(value: number): string {
  return String(Number(value.toFixed(3)));
}

function times(value: number | undefined): string {
  if (value === undefined) return '-';
  if (Number.isNaN(value)) return '1.0x';
  if (!Number.isFinite(value)) return 'inf';
  // below 1 (the model costs more than the baseline) two significant digits: 0.25x, 0.02x
  return `${value >= 1 ? value.toFixed(1) : String(Number(value.toPrecision(2)))}x`;
}

function actionRows(results: RunResults, models: string[], baseline: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const kind of ACTION_KINDS) {
    const having = models.filter((model) => results.models[model]!.actions[kind]);
    if (!having.length) continue;
    having.forEach((model, index) => {
      const figures: ActionFigures | undefined = results.models[model]!.actions[kind];
      const isBaseline = model === baseline;
      rows.push({
        action: index === 0 ? kind : '',
        model,
        count: figures?.count ?? 0,
        'rows/act': fixed(perAction(results, model, kind, 'db.rows_written')),
        'stmts/act': fixed(perAction(results, model, kind, 'db.statements')),
        'events/act': fixed(perAction(results, model, kind, 'ws.events_pushed')),
        [`rows ${baseline}/model`]: isBaseline ? 'baseline' : times(ratioToBaseline(results, model, kind, 'db.rows_written')),
        [`events ${baseline}/model`]: isBaseline ? 'baseline' : times(ratioToBaseline(results, model, kind, 'ws.events_pushed')),
      });
    });
  }
  return rows;
}

function latencyRows(results: RunResults, models: string[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const metric of LATENCY_METRICS) {
    const having = models.filter((model) => results.models[model]!.latency[metric]);
    having.forEach((model, index) => {
      const summary = results.models[model]!.latency[metric]!;
      // samples as measured (to the microsecond), not rounded for show: the same values gates see
      rows.push({ 'latency (ms)': index === 0 ? metric : '', model, n: summary.count, 'p50 / p95 / p99': `${exact(summary.p50)} / ${exact(summary.p95)} / ${exact(summary.p99)}` });
    });
  }
  return rows;
}

/** one line per model: its checks, WAL, rows per ack, options, and what a killed node cost it */
function modelLines(model: string, result: ModelResult): string[] {
  const errors = Object.entries(result.errors).map(([code, count]) => `${code}=${count}`).join(' ') || 'none';
  const perAck = result.receipts?.rows_per_ack;
  const options = Object.entries(result.options ?? {}).map(([name, value]) => `${name}=${value}`).join(' ');
  const lines = [
    `${model}: ticks ${result.check.ticks_consistent ? 'consistent' : 'INCONSISTENT'} (${result.check.messages_checked ?? 0} checked)` +
      `, db ${result.db.consistent ? 'consistent' : 'INCONSISTENT'} (app ${result.db.app_rows_written} rows, Postgres ${result.db.tuples_written} tuples` +
      `${result.db.audit ? `, ${auditedFrames(result.db.audit.frames)} frames audited` : ''})` +
      `, ${walText(result.db)}` +
      (perAck !== undefined && perAck !== null ? `, receipt rows per ack ${perAck.toFixed(2)}` : '') +
      (options ? `, options ${options}` : '') +
      `, errors: ${errors}`,
  ];
  const recovery = result.recovery;
  if (recovery?.killed_node) {
    const window = recovery.pending_at_kill;
    lines.push(
      `  node ${recovery.killed_node} killed: acknowledged receipts lost ${result.check.acked_receipts_lost ?? '?'} (of ${result.check.acked_receipts_checked ?? '?'} checked)` +
        (window ? `; it held ${window.receipts} receipts in ${window.marks} marks not yet in Postgres` : ''),
    );
  }
  for (const example of result.check.examples ?? []) lines.push(`  ${example}`);
  if (result.resends) lines.push(`  resent after a failover (statements in their actions, not counted as actions): ${Object.entries(result.resends).map(([action, n]) => `${action}=${n}`).join(' ')}`);
  if (result.db.check_error) lines.push(`  db check: ${result.db.check_error}`);
  for (const mismatch of result.db.table_mismatches ?? []) lines.push(`  db table ${mismatch}`);
  for (const example of result.db.audit?.examples ?? []) lines.push(`  db audit: ${example}`);
  return lines;
}

function auditedFrames(frames: Record<string, number>): number {
  return Object.values(frames).reduce((sum, n) => sum + n, 0);
}

/** WAL of the phases, with setup apart and the settings that change it beside it. */
function walText(db: ModelResult['db']): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  if (!db.wal) return `WAL ${kib(db.wal_bytes)}`;
  const own =
    db.wal.database_statement_bytes !== null
      ? `, own statements ${kib(db.wal.database_statement_bytes)}`
      : db.wal.idle_baseline_bytes_per_s !== undefined
        ? `, idle baseline ${db.wal.idle_baseline_bytes_per_s} B/s`
        : '';
  return `WAL ${kib(db.wal_bytes)} (${db.wal.server} server${own}; setup ${kib(db.wal.setup_bytes)} apart; full_page_writes=${db.wal.full_page_writes}, synchronous_commit=${db.wal.synchronous_commit})`;
}

export function renderRun(results: RunResults): string {
  const models = comparedModels(results);
  const baseline = baselineOf(results);
  const lines: string[] = [];
  const params = Object.entries(results.params).map(([name, value]) => `${name}=${value}`).join(' ');
  lines.push(`${results.scenario}  ${params}  seed=${results.seed}  driver=${results.driver}  nodes=${results.nodes ?? 1}  baseline=${baseline}`, '');
  lines.push(renderRows(actionRows(results, models, baseline)));
  const latency = latencyRows(results, models);
  if (latency.length) lines.push(renderRows(latency));
  const queueing = queueingLines(results, models);
  if (queueing.length) lines.push(...queueing, '');
  for (const model of models) lines.push(...modelLines(model, results.models[model]!));
  return `${lines.join('\n')}\n`;
}

/** true when every model's checks hold: a run that is not consistent exits non-zero */
export function runIsConsistent(results: RunResults): boolean {
  return Object.values(results.models).every((model) => model.check.ticks_consistent && model.db.consistent);
}

/** One warning per model and metric whose latency measured a queue, not the model. */
export function queueingLines(results: RunResults, models: string[]): string[] {
  const lines: string[] = [];
  for (const model of models) {
    for (const [metric, summary] of Object.entries(results.models[model]!.latency)) {
      if (summary?.load?.queueing) lines.push(`warning: ${model} ${queueingSentence(metric, summary.load)}`);
    }
  }
  return lines;
}
