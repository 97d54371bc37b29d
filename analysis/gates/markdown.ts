// The gate as Markdown for a CI job summary: verdict first, then what failed and why, then the
// full table, so a reviewer sees the reason without opening logs.
import type { GateReport, Outcome, Verdict } from './evaluate.ts';
import { formatValue } from './observe.ts';

const MARK: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', unknown: '❔ unknown' };

export function renderMarkdown(report: GateReport): string {
  const { counts } = report;
  const params = Object.entries(report.params).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults';
  const runs = report.runs.map((r) => `\`${r.runId}\` (${shortSha(r.gitSha)})`).join(', ');
  const lines = [
    `### chatbench gate ${report.passed ? '✅ passed' : '❌ failed'}: ${cell(report.scenario)}`,
    '',
    `${counts.pass} passed, ${counts.fail} failed, ${counts.unknown} unknown of ${report.outcomes.length} thresholds.`,
    '',
    `- Params: ${cell(params)}`,
    `- Runs: ${runs}`,
  ];
  if (report.baseline.length > 0) {
    lines.push(`- Baseline: ${report.baseline.map((r) => `\`${r.runId}\` (${shortSha(r.gitSha)})`).join(', ')}`);
  }
  const failing = report.outcomes.filter((o) => o.verdict !== 'pass');
  if (failing.length > 0) {
    lines.push('', '#### Not passing', '');
    for (const o of failing) lines.push(`- **${cell(o.model)}** \`${cell(o.metric)} ${cell(o.expression)}\`: ${o.verdict}, ${cell(o.reason)}`);
  }
  lines.push('', '| model | metric | expression | observed | limit | verdict |', '|---|---|---|---:|---:|---|');
  for (const o of report.outcomes) lines.push(row(o));
  lines.push('');
  return lines.join('\n');
}

function row(o: Outcome): string {
  return `| ${cell(o.model)} | \`${cell(o.metric)}\` | \`${cell(o.expression)}\` | ${formatValue(o.observed)} | ${formatValue(o.limit)} | ${MARK[o.verdict]} |`;
}

function shortSha(sha: string): string {
  return sha ? sha.slice(0, 7) : 'no sha';
}

/** Table cells cannot hold a pipe or a newline. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
