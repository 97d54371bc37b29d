// What the spec defines exactly, comparable across drivers and load generators: per model, per
// action, every figure; the checks; rows held per table; sample counts per metric. Not the reads
// of a first login: what it looks up depends on which peers happen to be online at that instant,
// which varies from run to run under either driver.
import type { RunResults } from '../../analysis/results-schema.ts';

export function exactFigures(results: RunResults) {
  return Object.fromEntries(
    Object.entries(results.models).map(([model, result]) => [
      model,
      {
        actions: Object.fromEntries(
          Object.entries(result.actions).map(([kind, figures]) => [kind, kind === 'connect' ? { count: figures.count, 'db.rows_written': figures['db.rows_written'] } : figures]),
        ),
        ticks: result.check.ticks_consistent,
        examples: result.check.examples,
        messagesChecked: result.check.messages_checked,
        db: { consistent: result.db.consistent, rows: Object.fromEntries(Object.entries(result.db.tables ?? {}).map(([table, counters]) => [table, counters.rows])) },
        clientErrors: Object.keys(result.errors).filter((code) => code.startsWith('client.')),
        samples: result.samples,
        receiptsMissing: result.latency['latency.receipt']?.missing,
      },
    ]),
  );
}

/** Nearest rank (the store's definition): the value at rank ceil(q·n) of the sorted values. */
export function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9))) - 1]!;
}
