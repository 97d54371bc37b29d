import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateReport } from '../../../analysis/gates/evaluate.ts';
import { renderJunit } from '../../../analysis/gates/junit.ts';
import { renderMarkdown } from '../../../analysis/gates/markdown.ts';
import { renderTable } from '../../../analysis/gates/table.ts';
import { fixtureRun, model, thresholds } from './fixture.ts';

// Two models; naive: 2 pass, 1 fail; watermark: 1 pass, 1 unknown (no baseline given).
const SPEC = {
  naive: {
    'read.rows_written_per_action': ['== 5', '== 1'],
    'latency.receipt': ['p99 < 100'],
  },
  watermark: {
    'read.rows_written_per_action': ['== 1'],
    'latency.receipt': ['p99 < baseline * 1.10'],
  },
};
const report = (): GateReport => evaluateGate([fixtureRun()], thresholds(SPEC));

type Case = { '@_name': string; '@_classname': string; failure?: { '@_type': string; '@_message': string; '#text': string } };
type Suite = { '@_name': string; '@_tests': string; '@_failures': string; testcase: Case[] };

function parseJunit(xml: string): { suites: Suite[]; root: Record<string, string> } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
  return { suites: parsed.testsuites.testsuite, root: parsed.testsuites };
}

describe('JUnit XML', () => {
  it('has one testsuite per model and one testcase per expression; fail and unknown are failures', () => {
    const { suites, root } = parseJunit(renderJunit(report()));
    expect(root['@_tests']).toBe('5');
    expect(root['@_failures']).toBe('2');
    expect(suites.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s.testcase.length])).toEqual([
      ['naive', '3', '1', 3],
      ['watermark', '2', '1', 2],
    ]);
    const naive = suites[0]!.testcase;
    expect(naive.map((c) => c['@_name'])).toEqual([
      'read.rows_written_per_action == 5',
      'read.rows_written_per_action == 1',
      'latency.receipt p99 < 100',
    ]);
    expect(naive[0]!.failure).toBeUndefined();
    expect(naive[1]!.failure).toMatchObject({ '@_type': 'fail' });
    expect(naive[1]!.failure!['@_message']).toContain('not == 1');
    const unknown = suites[1]!.testcase[1]!.failure!;
    expect(unknown['@_type']).toBe('unknown');
    expect(unknown['#text']).toContain('needs a baseline run');
  });

  it('escapes everything that XML would misread', () => {
    const hostile = 'a&b<c>"d\'\u0001';
    const run = fixtureRun((r) => {
      r.scenario = hostile;
      r.models[hostile] = model(r, 'naive');
    });
    const xml = renderJunit(evaluateGate([run], thresholds({ [hostile]: { 'read.rows_written_per_action': ['< 1'] } })));
    expect(xml).toContain('<testsuite name="a&amp;b&lt;c&gt;&quot;d&apos;"');
    // Parsed back (entities decoded), the name is what the run said, minus the control character.
    const { suites, root } = parseJunit(xml);
    expect(suites[0]!['@_name']).toBe('a&b<c>"d\'');
    expect(root['@_name']).toBe('chatbench gate a&b<c>"d\'');
    expect(suites[0]!.testcase[0]!.failure!['#text']).toContain('not < 1');
  });
});

describe('Markdown summary', () => {
  it('leads with the verdict and counts, lists what did not pass with reasons, then the full table', () => {
    const md = renderMarkdown(report());
    const lines = md.split('\n');
    expect(lines[0]).toBe('### chatbench gate ❌ failed: vacation-backlog');
    expect(md).toContain('3 passed, 1 failed, 1 unknown of 5 thresholds.');
    expect(md).toContain('- Params: pairs=4, backlog=5');
    expect(md).toContain('- Runs: `fixture-vacation-small` (0000000)');
    expect(md).toContain('- **naive** `read.rows_written_per_action == 1`: fail, 5 (20 / 4 read) not == 1');
    expect(md).toContain('- **watermark** `latency.receipt p99 < baseline * 1.10`: unknown, expression needs a baseline run');
    const rows = lines.filter((l) => l.startsWith('| ') && !l.startsWith('| model'));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe('| naive | `read.rows_written_per_action` | `== 5` | 5 | 5 | ✅ pass |');
    expect(rows[4]).toBe('| watermark | `latency.receipt` | `p99 < baseline * 1.10` | 2.099 | - | ❔ unknown |');
  });

  it('says passed, names the baseline, and has no failure list when all pass', () => {
    const base = fixtureRun((r) => {
      r.runId = 'base-run';
      r.gitSha = 'abcdef0123456789';
    });
    const md = renderMarkdown(evaluateGate([fixtureRun()], thresholds({ watermark: { 'latency.receipt': ['p99 <= baseline'] } }), [base]));
    expect(md.split('\n')[0]).toBe('### chatbench gate ✅ passed: vacation-backlog');
    expect(md).toContain('- Baseline: `base-run` (abcdef0)');
    expect(md).not.toContain('Not passing');
  });

  it('keeps table cells intact when a name holds a pipe', () => {
    const run = fixtureRun((r) => (r.models['a|b'] = model(r, 'naive')));
    const md = renderMarkdown(evaluateGate([run], thresholds({ 'a|b': { 'db.consistent': ['== true'] } })));
    expect(md).toContain('| a\\|b | `db.consistent` |');
  });
});

describe('terminal table', () => {
  it('prints one aligned row per expression, the reasons for non-passes, and the verdict', () => {
    const lines = renderTable(report()).split('\n');
    expect(lines[0]).toMatch(/^model\s+metric\s+expression\s+observed\s+verdict$/);
    expect(lines.slice(2, 7).map((l) => l.split(/\s{2,}/).at(-1))).toEqual(['PASS', 'FAIL', 'PASS', 'PASS', 'UNKNOWN']);
    expect(lines).toContain('FAIL naive read.rows_written_per_action == 1: 5 (20 / 4 read) not == 1');
    expect(lines.at(-2)).toBe('gate FAILED: 3 passed, 1 failed, 1 unknown');
  });
});
