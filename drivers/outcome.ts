// What every load-generator process reports, summed into one run's figures. Both drivers (Node
// workers, k6 processes) bring back the same per-process counts.
import type { TickReport } from './node/worker-protocol.ts';

export interface GeneratorReport {
  actions: Record<string, number>;
  errors: Record<string, number>;
  ticks: TickReport;
}

export function sumReports(reports: GeneratorReport[]): GeneratorReport {
  const total: GeneratorReport = { actions: {}, errors: {}, ticks: { ownMessages: {}, checked: 0, mismatches: [] } };
  for (const report of reports) {
    for (const [action, count] of Object.entries(report.actions)) total.actions[action] = (total.actions[action] ?? 0) + count;
    for (const [code, count] of Object.entries(report.errors)) total.errors[code] = (total.errors[code] ?? 0) + count;
    for (const [conversation, count] of Object.entries(report.ticks.ownMessages)) {
      total.ticks.ownMessages[conversation] = (total.ticks.ownMessages[conversation] ?? 0) + count;
    }
    total.ticks.checked += report.ticks.checked;
    // each process caps its own examples, so this stays small
    total.ticks.mismatches.push(...report.ticks.mismatches);
  }
  return total;
}
