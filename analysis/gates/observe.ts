// One metric of one model across several runs of the same workload. Counts are deterministic
// for a given (scenario, params), so runs that disagree on one are a finding in themselves;
// latencies are noisy, so each quantile is the median across runs.
import type { QuantileName } from '../metric-names.ts';
import type { RunResults } from '../results-schema.ts';
import { readMetric, type MetricKind, type MetricRef } from './metrics.ts';

export type Observation =
  | { status: 'value'; value: number | boolean; detail?: string }
  | { status: 'unknown'; reason: string }
  /** runs disagree on a figure that must not vary */
  | { status: 'inconsistent'; reason: string };

/** How per-run values become one value, per kind of metric. */
const COMBINE: Record<MetricKind, (values: (number | boolean)[], runIds: string[]) => Observation> = {
  latency: (values) => ({ status: 'value', value: median(values as number[]) }),
  perAction: requireEqual('counts differ between runs'),
  check: requireEqual('check results differ between runs'),
  // timing decides these (what a crash caught, how acks fell into flush windows): the worst run counts
  figure: (values) => ({ status: 'value', value: Math.max(...(values as number[])) }),
};

function requireEqual(message: string) {
  return (values: (number | boolean)[], runIds: string[]): Observation => {
    if (values.every((v) => v === values[0])) return { status: 'value', value: values[0]! };
    const each = values.map((v, i) => `${runIds[i]}: ${formatValue(v)}`).join(', ');
    return { status: 'inconsistent', reason: `${message} (${each})` };
  };
}

export function observe(runs: readonly RunResults[], model: string, ref: MetricRef, quantile?: QuantileName): Observation {
  if (runs.length === 0) return { status: 'unknown', reason: 'no runs' };
  const values: (number | boolean)[] = [];
  let detail: string | undefined;
  for (const run of runs) {
    const where = runs.length > 1 ? ` in run ${run.runId}` : '';
    const result = run.models[model];
    if (!result) {
      const present = Object.keys(run.models).join(', ') || 'none';
      return { status: 'unknown', reason: `model "${model}" not in run ${run.runId} (has ${present})` };
    }
    const reading = readMetric(result, ref, quantile);
    if (!reading.ok) return { status: 'unknown', reason: reading.reason + where };
    values.push(reading.value);
    detail ??= reading.detail;
  }
  const combined = COMBINE[ref.kind](values, runs.map((r) => r.runId));
  if (combined.status !== 'value') return combined;
  const over = runs.length > 1 ? ({ latency: `median of ${runs.length} runs`, figure: `max of ${runs.length} runs` } as Partial<Record<MetricKind, string>>)[ref.kind] ?? `${runs.length} runs agree` : detail;
  return over === undefined ? combined : { ...combined, detail: over };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Numbers to at most 3 decimals, without trailing zeros: 2.31, 20, 0.896. */
export function formatValue(value: number | boolean | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'boolean') return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}
