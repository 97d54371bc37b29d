// The gate's result for a terminal: an aligned table, then the reason for each non-pass.
import type { GateReport } from './evaluate.ts';
import { formatValue } from './observe.ts';

export function renderTable(report: GateReport): string {
  const header = ['model', 'metric', 'expression', 'observed', 'verdict'];
  const rows = report.outcomes.map((o) => [o.model, o.metric, o.expression, formatValue(o.observed), o.verdict.toUpperCase()]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const o of report.outcomes.filter((x) => x.verdict !== 'pass')) {
    out.push(`${o.verdict.toUpperCase()} ${o.model} ${o.metric} ${o.expression}: ${o.reason}`);
  }
  const { pass, fail, unknown } = report.counts;
  out.push(`gate ${report.passed ? 'passed' : 'FAILED'}: ${pass} passed, ${fail} failed, ${unknown} unknown`, '');
  return out.join('\n');
}
