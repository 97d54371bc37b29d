// What every load-generator process reports, combined into one run's figures. Both drivers (Node
// workers, k6 processes) and `k6 collect` bring back the same per-process parts; receipt latency
// is only known once every part is in (reader and sender may sit in different processes).
import { addTicks, emptyTicks, type TickReport } from './client/fleet.ts';
import { matchReceipts, type ReceiptLogPart } from './client/receipts.ts';
import { LatencyRecorder, type RecordedLatency } from './recorder.ts';
import type { DriverOutcome } from './types.ts';

export interface GeneratorReport {
  actions: Record<string, number>;
  errors: Record<string, number>;
  ticks: TickReport;
  latency: RecordedLatency;
  receipts: ReceiptLogPart;
  recoveries?: { droppedAt: number; syncedAt: number }[];
  /** frames sent again after a failover, per action */
  resends?: Record<string, number>;
}

export function sumReports(reports: Pick<GeneratorReport, 'actions' | 'errors' | 'ticks'>[]): Pick<GeneratorReport, 'actions' | 'errors' | 'ticks'> {
  const total: Pick<GeneratorReport, 'actions' | 'errors' | 'ticks'> = { actions: {}, errors: {}, ticks: emptyTicks() };
  for (const report of reports) {
    for (const [action, count] of Object.entries(report.actions)) total.actions[action] = (total.actions[action] ?? 0) + count;
    for (const [code, count] of Object.entries(report.errors)) total.errors[code] = (total.errors[code] ?? 0) + count;
    // counts summed, examples capped: never a list per mismatched tick
    addTicks(total.ticks, report.ticks);
  }
  return total;
}

/**
 * Every process's report as one outcome: counts summed, latency parts kept apart (raw samples make
 * quantiles exact over their union), and receipts matched across all processes into a part of
 * their own, with those that never arrived counted.
 */
export function combineReports(
  reports: GeneratorReport[],
  model: string,
  runStart: number,
): Pick<DriverOutcome, 'actions' | 'errors' | 'ticks' | 'latency' | 'receipts' | 'recoveries' | 'resends'> {
  const match = matchReceipts(reports.map((report) => report.receipts));
  const recorder = new LatencyRecorder(model, runStart);
  for (const receipt of match.receipts) recorder.record('latency.receipt', receipt.valueMs, undefined, receipt.at);
  return {
    ...sumReports(reports),
    latency: [...reports.map((report) => report.latency), recorder.export()],
    receipts: { missing: match.missing, examples: match.examples },
    recoveries: reports.flatMap((report) => report.recoveries ?? []),
    resends: sumCounts(reports.map((report) => report.resends ?? {})),
  };
}

function sumCounts(parts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [key, count] of Object.entries(part)) total[key] = (total[key] ?? 0) + count;
  return total;
}
