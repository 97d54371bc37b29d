// The gate as CI calls it: the real CLI in a child process, against run directories on disk.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.ts';

const FIXTURE = 'test/fixtures/runs/vacation-small';
const work = mkdtempSync(join(tmpdir(), 'gate-cli-'));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function chatbench(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/chatbench.mjs', ...args], {
      env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** A copy of the fixture run directory with a change applied. */
function runDir(name: string, change: (run: any) => void): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const run = JSON.parse(readFileSync(join(FIXTURE, 'results.json'), 'utf8'));
  change(run);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(run));
  return dir;
}

const passing = file('pass.json', {
  scenario: 'vacation-backlog',
  params: { backlog: 5 },
  thresholds: {
    naive: { 'read.rows_written_per_action': ['== 5'], 'check.ticks_consistent': ['== true'] },
    watermark: { 'read.rows_written_per_action': ['== 1'], 'latency.receipt': ['p99 < 50'], 'db.consistent': ['== true'] },
  },
});
const failing = file('fail.json', { watermark: { 'read.rows_written_per_action': ['== 5'] } });
const unknown = file('unknown.json', { watermark: { 'toggle.rows_written_per_action': ['== 1'] } });
const relative = file('baseline.json', { naive: { 'latency.receipt': ['p99 < baseline * 1.10'], 'read.rows_written_per_action': ['== baseline'] } });

describe('chatbench gate', () => {
  it('exits 0 when every threshold passes, printing the table and writing JUnit and Markdown', async () => {
    const junit = join(work, 'out', 'gate.xml');
    const summary = join(work, 'out', 'gate.md');
    const step = file('step-summary.md', '# earlier step\n');
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', passing, '--junit', junit, '--summary', summary], {
      GITHUB_STEP_SUMMARY: step,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^model\s+metric\s+expression\s+observed\s+verdict/);
    expect(result.stdout).toContain('gate passed: 5 passed, 0 failed, 0 unknown');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8'));
    expect(parsed.testsuites['@_tests']).toBe('5');
    expect(parsed.testsuites['@_failures']).toBe('0');
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### chatbench gate ✅ passed: vacation-backlog');
    expect(readFileSync(step, 'utf8')).toBe(`# earlier step\n${md}\n`);
  });

  it('exits 3 when a threshold fails, naming it', async () => {
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', failing]);
    expect(result.code).toBe(EXIT.gateFailed);
    expect(result.stdout).toContain('FAIL watermark read.rows_written_per_action == 5: 1 (4 / 4 read) not == 5');
    expect(result.stderr).toContain('gate failed: 1 failed, 0 unknown');
  });

  it('exits 3 when a threshold cannot be measured', async () => {
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', unknown]);
    expect(result.code).toBe(EXIT.gateFailed);
    expect(result.stdout).toContain('UNKNOWN watermark toggle.rows_written_per_action == 1: no toggle actions in this run');
  });

  it('prints only JSON with --json', async () => {
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', failing, '--json']);
    expect(result.code).toBe(EXIT.gateFailed);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ passed: false, scenario: 'vacation-backlog', counts: { pass: 0, fail: 1, unknown: 0 } });
    expect(report.outcomes[0]).toMatchObject({ model: 'watermark', verdict: 'fail', observed: 1, limit: 5 });
  });

  it('detects regressions against a baseline run directory: latency +20% and a changed count', async () => {
    const baseline = runDir('base', (run) => {
      run.runId = 'base';
      run.gitSha = 'b'.repeat(40);
    });
    const regressed = runDir('regressed', (run) => {
      run.models.naive.latency['latency.receipt'].p99 *= 1.2;
      run.models.naive.actions.read['db.rows_written'] = 24;
    });
    const same = await chatbench(['gate', '--results', FIXTURE, '--thresholds', relative, '--baseline', baseline]);
    expect(same.code).toBe(EXIT.ok);
    const worse = await chatbench(['gate', '--results', regressed, '--thresholds', relative, '--baseline', baseline, '--json']);
    expect(worse.code).toBe(EXIT.gateFailed);
    const report = JSON.parse(worse.stdout);
    expect(report.baseline).toEqual([{ runId: 'base', gitSha: 'b'.repeat(40) }]);
    expect(report.outcomes.map((o: { verdict: string }) => o.verdict)).toEqual(['fail', 'fail']);
  });

  it('exits 3 for baseline expressions without --baseline', async () => {
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', relative]);
    expect(result.code).toBe(EXIT.gateFailed);
    expect(result.stdout).toContain('needs a baseline run');
  });

  it.each([
    ['no --thresholds', ['--results', FIXTURE], '--thresholds <file> is required'],
    ['an unreadable thresholds file', ['--results', FIXTURE, '--thresholds', join(work, 'nope.json')], 'cannot read thresholds file'],
    ['a malformed thresholds file', ['--results', FIXTURE, '--thresholds', file('bad.json', '{\n "naive": {\n  "latency.receipt": ["p99 << 100"]\n }\n}')], 'bad.json:3: "p99 << 100": expected <op> <number>'],
    ['no runs', ['--thresholds', failing], 'nothing to gate: give --run <runId> or --results <dir>'],
    ['a scenario file with an unknown scenario', ['--thresholds', file('nosuch.json', { scenario: 'vacation', thresholds: { naive: { 'db.consistent': ['== true'] } } })], 'nosuch.json: unknown scenario "vacation"; valid scenarios:'],
    ['a scenario file with a param out of range', ['--thresholds', file('range.json', { scenario: 'vacation-backlog', params: { backlog: 0 }, thresholds: { naive: { 'db.consistent': ['== true'] } } })], 'range.json: backlog=0: out of range'],
    ['a scenario file with an unknown param', ['--thresholds', file('param.json', { scenario: 'vacation-backlog', params: { backlogs: 3 }, thresholds: { naive: { 'db.consistent': ['== true'] } } })], 'param.json: backlogs: unknown parameter of vacation-backlog'],
    ['--out with runs given', ['--results', FIXTURE, '--thresholds', failing, '--out', join(work, 'o')], '--out applies only when the gate runs the scenario itself'],
    ['a missing run directory', ['--results', join(work, 'absent'), '--thresholds', failing], 'absent: no such file or directory'],
    ['a run of another scenario', ['--results', runDir('other', (r) => (r.scenario = 'mass-reconnect')), '--thresholds', passing], 'is scenario mass-reconnect, but pass.json is for vacation-backlog'],
    ['a run with other params than the file', ['--results', runDir('bigger', (r) => (r.params.backlog = 50)), '--thresholds', passing], 'has backlog=50, but pass.json sets backlog=5'],
    ['runs of different workloads', ['--results', FIXTURE, '--results', runDir('pairs', (r) => (r.params.pairs = 9)), '--thresholds', failing], 'params differ: pairs=9 vs 4'],
    ['a baseline of another workload', ['--results', FIXTURE, '--baseline', runDir('base-other', (r) => (r.params.pairs = 9)), '--thresholds', relative], 'not the same workload'],
    ['an empty --baseline', ['--results', FIXTURE, '--baseline', '', '--thresholds', relative], '--baseline: expected a run id'],
    ['an unknown option', ['--results', FIXTURE, '--thresholds', failing, '--threshold-file', 'x'], "unknown option '--threshold-file'"],
  ])('exits 2 for %s', async (_label, args, message) => {
    const result = await chatbench(['gate', ...args]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(EXIT.usage);
  });

  it('exits 1 for a results file that is not a valid run', async () => {
    const broken = runDir('broken', (run) => delete run.runId);
    const result = await chatbench(['gate', '--results', broken, '--thresholds', failing]);
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr).toContain('is not a valid chatbench results document: runId');
  });

  it.each([
    ['--junit', (path: string) => ['--junit', path]],
    ['--summary', (path: string) => ['--summary', path]],
  ])('exits 1 when the %s file cannot be written, naming it', async (option, args) => {
    const blocker = file('blocker', 'a file, not a directory');
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', passing, ...args(join(blocker, 'out'))]);
    expect(result.stderr).toContain(`chatbench: ${option} ${join(blocker, 'out')}: cannot write (`);
    expect(result.code).toBe(EXIT.failure);
  });

  it('exits 1 when $GITHUB_STEP_SUMMARY cannot be appended to', async () => {
    const blocker = file('blocker2', 'a file, not a directory');
    const result = await chatbench(['gate', '--results', FIXTURE, '--thresholds', passing], { GITHUB_STEP_SUMMARY: join(blocker, 'summary.md') });
    expect(result.stderr).toContain('GITHUB_STEP_SUMMARY');
    expect(result.code).toBe(EXIT.failure);
  });

  it('exits 1 when the metrics store cannot be reached', async () => {
    const result = await chatbench(['gate', '--run', 'x', '--thresholds', failing, '--clickhouse-url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr).toMatch(/^chatbench: .+/);
    expect(result.stderr).not.toContain('    at ');
  });
});
