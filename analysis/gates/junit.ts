// JUnit XML, the one test-report format every CI system ingests: one testsuite per model, one
// testcase per threshold expression. Unknown is a failure too (a gate must not pass on missing
// data), told apart by the failure's `type`.
import type { GateReport, Outcome } from './evaluate.ts';
import { formatValue } from './observe.ts';

export function renderJunit(report: GateReport): string {
  const models = [...new Set(report.outcomes.map((o) => o.model))];
  const failed = (outcomes: Outcome[]) => outcomes.filter((o) => o.verdict !== 'pass').length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`chatbench gate ${report.scenario}`)}" tests="${report.outcomes.length}" failures="${failed(report.outcomes)}" errors="0" time="0">`,
  ];
  for (const [id, model] of models.entries()) {
    const outcomes = report.outcomes.filter((o) => o.model === model);
    lines.push(
      `  <testsuite name="${attr(model)}" id="${id}" tests="${outcomes.length}" failures="${failed(outcomes)}" errors="0" skipped="0" time="0">`,
      '    <properties>',
      property('scenario', report.scenario),
      property('params', JSON.stringify(report.params)),
      property('runs', report.runs.map((r) => r.runId).join(',')),
      property('gitSha', [...new Set(report.runs.map((r) => r.gitSha))].join(',')),
      ...(report.baseline.length > 0 ? [property('baseline', report.baseline.map((r) => r.runId).join(','))] : []),
      '    </properties>',
    );
    for (const outcome of outcomes) {
      const name = attr(`${outcome.metric} ${outcome.expression}`);
      const open = `    <testcase classname="${attr(`chatbench.${report.scenario}.${model}`)}" name="${name}" time="0"`;
      if (outcome.verdict === 'pass') {
        lines.push(`${open}/>`);
        continue;
      }
      const message = `${outcome.verdict}: ${outcome.reason}`;
      const body = `observed: ${formatValue(outcome.observed)}\nlimit: ${formatValue(outcome.limit)}\n${outcome.reason}`;
      lines.push(
        `${open}>`,
        `      <failure message="${attr(message)}" type="${outcome.verdict}">${text(body)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function property(name: string, value: string): string {
  return `      <property name="${attr(name)}" value="${attr(value)}"/>`;
}

// XML 1.0 cannot carry most control characters even escaped; drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function text(value: string): string {
  return value.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
