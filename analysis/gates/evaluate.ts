// The gate's verdict as a pure function of runs, thresholds and an optional baseline: no I/O,
// so every rule (unknown fails, runs must agree on counts, baseline arithmetic) is unit-tested.
import type { RunResults } from '../results-schema.ts';
import { BASELINE_ARITHMETIC, OPERATORS, describeLimit, type Expression } from './expressions.ts';
import { formatValue, observe, type Observation } from './observe.ts';
import type { Threshold } from './thresholds.ts';

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface Outcome {
  model: string;
  metric: string;
  expression: string;
  verdict: Verdict;
  observed?: number | boolean;
  /** the value compared against, after baseline arithmetic */
  limit?: number | boolean;
  /** the baseline's own value, when the expression uses one */
  baseline?: number | boolean;
  reason: string;
  /** where the threshold was written */
  line?: number;
}

export interface RunRef {
  runId: string;
  gitSha: string;
}

export interface GateReport {
  passed: boolean;
  scenario: string;
  params: RunResults['params'];
  runs: RunRef[];
  baseline: RunRef[];
  counts: Record<Verdict, number>;
  outcomes: Outcome[];
}

/** Runs that cannot be gated together (different workloads); callers treat it as bad usage. */
export class GateInputError extends Error {
  override name = 'GateInputError';
}

export function evaluateGate(
  runs: readonly RunResults[],
  thresholds: readonly Threshold[],
  baseline: readonly RunResults[] = [],
): GateReport {
  const first = runs[0];
  if (!first) throw new GateInputError('no runs to gate');
  for (const run of [...runs.slice(1), ...baseline]) {
    const problem = workloadDifference(first, run);
    if (problem) throw new GateInputError(`run ${run.runId} is not comparable with run ${first.runId}: ${problem}`);
  }
  const outcomes = thresholds.map((threshold) => evaluateOne(runs, threshold, baseline));
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, unknown: 0 };
  for (const outcome of outcomes) counts[outcome.verdict]++;
  return {
    passed: counts.fail === 0 && counts.unknown === 0,
    scenario: first.scenario,
    params: first.params,
    runs: runs.map(runRef),
    baseline: baseline.map(runRef),
    counts,
    outcomes,
  };
}

function evaluateOne(runs: readonly RunResults[], threshold: Threshold, baselineRuns: readonly RunResults[]): Outcome {
  const { model, metric, expression } = threshold;
  const base = { model, metric: metric.name, expression: expression.source, line: threshold.line };
  const observed = observe(runs, model, metric, expression.quantile);
  if (observed.status !== 'value') return { ...base, verdict: observed.status === 'unknown' ? 'unknown' : 'fail', reason: observed.reason };

  const limit = resolveLimit(expression, () => observe(baselineRuns, model, metric, expression.quantile), baselineRuns.length > 0);
  if ('unknown' in limit) return { ...base, verdict: 'unknown', observed: observed.value, reason: limit.unknown };

  const passed = compare(observed.value, expression, limit.value);
  const subject = `${expression.quantile ? `${expression.quantile} ` : ''}${formatValue(observed.value)}`;
  const detail = observed.detail ? ` (${observed.detail})` : '';
  const against =
    limit.baseline === undefined ? formatValue(limit.value) : `${formatValue(limit.value)} (${describeLimit(expression.limit)}, baseline ${formatValue(limit.baseline)})`;
  return {
    ...base,
    verdict: passed ? 'pass' : 'fail',
    observed: observed.value,
    limit: limit.value,
    baseline: limit.baseline,
    reason: `${subject}${detail} ${passed ? '' : 'not '}${expression.op} ${against}`,
  };
}

type ResolvedLimit = { value: number | boolean; baseline?: number | boolean } | { unknown: string };

function resolveLimit(expression: Expression, baseline: () => Observation, haveBaseline: boolean): ResolvedLimit {
  const limit = expression.limit;
  if (limit.kind !== 'baseline') return { value: limit.value };
  if (!haveBaseline) return { unknown: 'expression needs a baseline run (--baseline) and none was given' };
  const observed = baseline();
  if (observed.status !== 'value') return { unknown: `baseline: ${observed.reason}` };
  if (typeof observed.value !== 'number') return { unknown: 'baseline is not a number' };
  const value = limit.arithmetic
    ? BASELINE_ARITHMETIC[limit.arithmetic.op](observed.value, limit.arithmetic.operand)
    : observed.value;
  return { value, baseline: observed.value };
}

function compare(observed: number | boolean, expression: Expression, limit: number | boolean): boolean {
  if (typeof observed === 'boolean' || typeof limit === 'boolean') return observed === limit;
  return OPERATORS[expression.op](observed, limit);
}

function runRef(run: RunResults): RunRef {
  return { runId: run.runId, gitSha: run.gitSha };
}

/** Why two runs are not the same workload, or undefined when they are. */
export function workloadDifference(a: RunResults, b: RunResults): string | undefined {
  if (a.scenario !== b.scenario) return `scenario ${b.scenario} vs ${a.scenario}`;
  const keys = new Set([...Object.keys(a.params), ...Object.keys(b.params)]);
  const differing = [...keys].filter((k) => a.params[k] !== b.params[k]);
  if (differing.length > 0) {
    return `params differ: ${differing.map((k) => `${k}=${b.params[k] ?? '(unset)'} vs ${a.params[k] ?? '(unset)'}`).join(', ')}`;
  }
  return undefined;
}
