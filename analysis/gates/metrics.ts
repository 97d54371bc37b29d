// Gate metric names (SPEC.md "What is measured") and how each one is read from a model's results.
// A name resolves to one of a few kinds; each kind is an entry in METRIC_KINDS so adding a kind
// (say, server CPU) is one entry plus its contract-test case, not an edit to the evaluator.
import {
  ACTION_FIGURES,
  ACTION_KINDS,
  LATENCY_METRICS,
  QUANTILES,
  isActionKind,
  type ActionFigure,
  type ActionKind,
  type LatencyMetric,
  type QuantileName,
} from '../metric-names.ts';
import type { ModelResult } from '../results-schema.ts';

/** Short figure names accepted before `_per_action`, beside the full `db.rows_written` forms. */
export const FIGURE_ALIASES = {
  statements: 'db.statements',
  rows_written: 'db.rows_written',
  rows_read: 'db.rows_read',
  events_pushed: 'ws.events_pushed',
  bytes_pushed: 'ws.bytes_pushed',
} as const satisfies Record<string, ActionFigure>;
export type FigureName = keyof typeof FIGURE_ALIASES | ActionFigure;

/** Boolean checks a run reports about itself; missing means the run never ran the check. */
export const CHECKS = {
  'check.ticks_consistent': (model: ModelResult) => model.check?.ticks_consistent,
  'db.consistent': (model: ModelResult) => model.db?.consistent,
} as const satisfies Record<string, (model: ModelResult) => boolean | undefined>;
export type CheckName = keyof typeof CHECKS;

/**
 * Numbers a run reports about itself that are not per-action figures: durability under a killed
 * node, and what acks cost once a buffering model's flushes are counted. Missing means the run
 * did not measure it.
 */
export const RUN_FIGURES = {
  'check.acked_receipts_lost': (model: ModelResult) => model.check?.acked_receipts_lost,
  'receipts.rows_per_ack': (model: ModelResult) => model.receipts?.rows_per_ack ?? undefined,
} as const satisfies Record<string, (model: ModelResult) => number | undefined>;
export type RunFigureName = keyof typeof RUN_FIGURES;

/** Every metric name a gate accepts, as a type: scenario definitions get typos caught by tsc. */
export type GateMetricName = LatencyMetric | `${ActionKind}.${FigureName}_per_action` | CheckName | RunFigureName;

export type MetricRef =
  | { kind: 'latency'; name: string; metric: LatencyMetric }
  | { kind: 'perAction'; name: string; action: ActionKind; figure: ActionFigure }
  | { kind: 'check'; name: string; check: CheckName }
  | { kind: 'figure'; name: string; figure: RunFigureName };

export type MetricKind = MetricRef['kind'];

/** What an expression on this kind of metric compares: a number or a boolean. */
export const VALUE_TYPE: Record<MetricKind, 'number' | 'boolean'> = {
  latency: 'number',
  perAction: 'number',
  check: 'boolean',
  figure: 'number',
};

/** A metric's value in one model of one run, or why there is none. */
export type Reading =
  | { ok: true; value: number | boolean; detail?: string }
  | { ok: false; reason: string };

export class MetricNameError extends Error {}

const PER_ACTION_SUFFIX = '_per_action';

/** Parses a metric name; throws MetricNameError naming the valid choices. */
export function parseMetricName(name: string): MetricRef {
  if ((LATENCY_METRICS as readonly string[]).includes(name)) {
    return { kind: 'latency', name, metric: name as LatencyMetric };
  }
  if (Object.hasOwn(CHECKS, name)) return { kind: 'check', name, check: name as CheckName };
  if (Object.hasOwn(RUN_FIGURES, name)) return { kind: 'figure', name, figure: name as RunFigureName };
  if (name.endsWith(PER_ACTION_SUFFIX)) {
    const dot = name.indexOf('.');
    const action = dot < 0 ? name.slice(0, -PER_ACTION_SUFFIX.length) : name.slice(0, dot);
    if (dot < 0 || !isActionKind(action)) {
      throw new MetricNameError(`unknown action "${action}"; valid: ${ACTION_KINDS.join(', ')}`);
    }
    const figureName = name.slice(dot + 1, -PER_ACTION_SUFFIX.length);
    const figure = Object.hasOwn(FIGURE_ALIASES, figureName)
      ? FIGURE_ALIASES[figureName as keyof typeof FIGURE_ALIASES]
      : (ACTION_FIGURES as readonly string[]).find((f) => f === figureName);
    if (!figure) {
      const valid = [...Object.keys(FIGURE_ALIASES), ...ACTION_FIGURES].join(', ');
      throw new MetricNameError(`unknown figure "${figureName}"; valid: ${valid}`);
    }
    return { kind: 'perAction', name, action, figure: figure as ActionFigure };
  }
  throw new MetricNameError(
    `unknown metric; valid: ${[...LATENCY_METRICS].join(', ')}, <action>.<figure>_per_action ` +
      `(e.g. read.rows_written_per_action), ${[...Object.keys(CHECKS), ...Object.keys(RUN_FIGURES)].join(', ')}`,
  );
}

/** Reads a metric from one model; `quantile` applies to latencies only. */
export const METRIC_KINDS: {
  [K in MetricKind]: (model: ModelResult, ref: Extract<MetricRef, { kind: K }>, quantile?: QuantileName) => Reading;
} = {
  latency(model, ref, quantile) {
    const summary = model.latency?.[ref.metric];
    if (!summary) return { ok: false, reason: `no ${ref.metric} recorded` };
    if (summary.count === 0) return { ok: false, reason: `${ref.metric} has no samples` };
    const q = quantile ?? 'p99';
    return { ok: true, value: summary[q], detail: `${summary.count} samples` };
  },
  perAction(model, ref) {
    const figures = model.actions?.[ref.action];
    if (!figures) return { ok: false, reason: `no ${ref.action} actions in this run` };
    if (figures.count === 0) return { ok: false, reason: `${ref.action} count is 0` };
    return {
      ok: true,
      value: figures[ref.figure] / figures.count,
      detail: `${figures[ref.figure]} / ${figures.count} ${ref.action}`,
    };
  },
  check(model, ref) {
    const value = CHECKS[ref.check](model);
    if (value === undefined) return { ok: false, reason: `${ref.check} not reported` };
    return { ok: true, value };
  },
  figure(model, ref) {
    const value = RUN_FIGURES[ref.figure](model);
    if (value === undefined) return { ok: false, reason: `${ref.figure} not reported` };
    return { ok: true, value };
  },
};

export function readMetric(model: ModelResult, ref: MetricRef, quantile?: QuantileName): Reading {
  // The mapped type above guarantees each reader gets its own kind of ref.
  const reader = METRIC_KINDS[ref.kind] as (m: ModelResult, r: MetricRef, q?: QuantileName) => Reading;
  return reader(model, ref, quantile);
}

export { QUANTILES };
