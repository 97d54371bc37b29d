// The side-by-side table a run prints: per action, each model's cost per action and the ratio
// between the first two models; then latency quantiles and the consistency checks.
import type { ActionFigures, RunResults } from '../analysis/results-schema.ts';
import { ACTION_KINDS, LATENCY_METRICS } from '../analysis/metric-names.ts';
import { renderRows } from './text-table.ts';

const perAction = (figures: ActionFigures | undefined, figure: keyof ActionFigures) =>
  figures && figures.count > 0 ? (figures[figure] ?? 0) / figures.count : undefined;

function fixed(value: number | undefined, digits = 2): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function exact(value: number): string {
  return String(Number(value.toFixed(3)));
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return '-';
  if (b === 0) return a === 0 ? '1.0x' : 'inf';
  return `${(a / b).toFixed(1)}x`;
}

export function renderRun(results: RunResults): string {
  const models = Object.keys(results.models);
  const [first, second] = models;
  const lines: string[] = [];
  const params = Object.entries(results.params).map(([name, value]) => `${name}=${value}`).join(' ');
  lines.push(`${results.scenario}  ${params}  seed=${results.seed}  driver=${results.driver}  nodes=${results.nodes ?? 1}`, '');
  const rows: Record<string, unknown>[] = [];
  for (const kind of ACTION_KINDS) {
    if (!models.some((model) => results.models[model]!.actions[kind])) continue;
    const row: Record<string, unknown> = { action: kind, count: results.models[first!]!.actions[kind]?.count ?? 0 };
    for (const model of models) {
      const figures = results.models[model]!.actions[kind];
      row[`${model} rows/act`] = fixed(perAction(figures, 'db.rows_written'));
      row[`${model} stmts/act`] = fixed(perAction(figures, 'db.statements'));
      row[`${model} events/act`] = fixed(perAction(figures, 'ws.events_pushed'));
    }
    if (second) {
      const a = results.models[first!]!.actions[kind];
      const b = results.models[second]!.actions[kind];
      row[`rows ${first}/${second}`] = ratio(perAction(a, 'db.rows_written'), perAction(b, 'db.rows_written'));
      row[`events ${first}/${second}`] = ratio(perAction(a, 'ws.events_pushed'), perAction(b, 'ws.events_pushed'));
    }
    rows.push(row);
  }
  lines.push(renderRows(rows));
  const latencyRows: Record<string, unknown>[] = [];
  for (const metric of LATENCY_METRICS) {
    if (!models.some((model) => results.models[model]!.latency[metric])) continue;
    const row: Record<string, unknown> = { 'latency (ms)': metric };
    for (const model of models) {
      const summary = results.models[model]!.latency[metric];
      row[`${model} n`] = summary?.count ?? 0;
      // samples as measured (to the microsecond), not rounded for show: the same values gates see
      row[`${model} p50/p95/p99`] = summary ? `${exact(summary.p50)} / ${exact(summary.p95)} / ${exact(summary.p99)}` : '-';
    }
    latencyRows.push(row);
  }
  if (latencyRows.length) lines.push(renderRows(latencyRows));
  for (const model of models) {
    const result = results.models[model]!;
    const errors = Object.entries(result.errors).map(([code, count]) => `${code}=${count}`).join(' ') || 'none';
    lines.push(
      `${model}: ticks ${result.check.ticks_consistent ? 'consistent' : 'INCONSISTENT'} (${result.check.messages_checked ?? 0} checked)` +
        `, db ${result.db.consistent ? 'consistent' : 'INCONSISTENT'} (app ${result.db.app_rows_written} rows, Postgres ${result.db.tuples_written} tuples` +
        `${result.db.audit ? `, ${auditedFrames(result.db.audit.frames)} frames audited` : ''})` +
        `, ${walText(result.db)}, errors: ${errors}`,
    );
    for (const example of result.check.examples ?? []) lines.push(`  ${example}`);
    if (result.resends) lines.push(`  resent after a failover (statements in their actions, not counted as actions): ${Object.entries(result.resends).map(([action, n]) => `${action}=${n}`).join(' ')}`);
    if (result.db.check_error) lines.push(`  db check: ${result.db.check_error}`);
    for (const mismatch of result.db.table_mismatches ?? []) lines.push(`  db table ${mismatch}`);
    for (const example of result.db.audit?.examples ?? []) lines.push(`  db audit: ${example}`);
  }
  return `${lines.join('\n')}\n`;
}

function auditedFrames(frames: Record<string, number>): number {
  return Object.values(frames).reduce((sum, n) => sum + n, 0);
}

/** WAL of the phases, with setup apart and the settings that change it beside it. */
function walText(db: RunResults['models'][string]['db']): string {
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

/** true when every model's checks hold: a run that is not consistent exits non-zero */
export function runIsConsistent(results: RunResults): boolean {
  return Object.values(results.models).every((model) => model.check.ticks_consistent && model.db.consistent);
}
