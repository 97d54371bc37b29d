// The gate reading runs and baselines from a real embedded store (chDB), as CI does after
// `chatbench run` has stored its runs.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../analysis/results-schema.ts';
import { openStore } from '../../analysis/store/index.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { fixtureResults, fixtureSamples, tempDir } from '../support/store-fixtures.ts';

const storeDir = join(tempDir('gate-store'), 'store');
const work = tempDir('gate-store-files');
const HEAD = '1'.repeat(40);

function variant(runId: string, gitSha: string, startedAt: string, change: (run: RunResults) => void = () => {}): RunResults {
  const run = fixtureResults();
  Object.assign(run, { runId, gitSha, startedAt });
  change(run);
  return run;
}
const setP99 = (p99: number) => (run: RunResults) => {
  run.models.naive!.latency['latency.receipt']!.p99 = p99;
};

async function chatbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/chatbench.mjs', ...args], { env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

const thresholds = join(work, 'baseline.json');

beforeAll(async () => {
  writeFileSync(thresholds, JSON.stringify({ naive: { 'latency.receipt': ['p99 < baseline * 1.10'], 'read.rows_written_per_action': ['== baseline'] } }));
  const store = await openStore({ dataDir: storeDir });
  try {
    const runs = [
      // The run being gated: receipt p99 20 ms on HEAD.
      variant('head', HEAD, '2026-11-23T05:00:00.000Z', setP99(20)),
      // Newer, but on the same sha as the gated run: not a baseline.
      variant('head-again', HEAD, '2026-11-23T06:00:00.000Z', setP99(1)),
      // Newer, another sha, but other params: not comparable.
      variant('other-params', 'c'.repeat(40), '2026-11-23T04:00:00.000Z', (r) => (r.params.pairs = 400)),
      // The latest comparable run on another sha: p99 10 ms, so HEAD regressed by 100%.
      variant('main-latest', 'b'.repeat(40), '2026-11-23T03:00:00.000Z', setP99(10)),
      variant('main-older', 'a'.repeat(40), '2026-11-22T03:00:00.000Z', setP99(100)),
    ];
    for (const run of runs) await store.saveRun(run, fixtureSamples());
  } finally {
    await store.close();
  }
});

describe('chatbench gate with the metrics store', () => {
  it('gates a stored run against --baseline latest: the newest same-workload run on another sha', async () => {
    const result = await chatbench(['gate', '--run', 'head', '--thresholds', thresholds, '--baseline', 'latest', '--store-dir', storeDir, '--json']);
    expect(result.stderr).toContain('gate failed: 1 failed, 0 unknown');
    expect(result.code).toBe(EXIT.gateFailed);
    const report = JSON.parse(result.stdout);
    expect(report.runs).toEqual([{ runId: 'head', gitSha: HEAD }]);
    expect(report.baseline).toEqual([{ runId: 'main-latest', gitSha: 'b'.repeat(40) }]);
    expect(report.outcomes.map((o: { verdict: string; baseline: number }) => [o.verdict, o.baseline])).toEqual([
      ['fail', 10],
      ['pass', 5],
    ]);
  });

  it('gates against a baseline named by id, and medians several --run ids', async () => {
    const result = await chatbench([
      'gate', '--run', 'head', '--run', 'head-again', '--run', 'main-older',
      '--thresholds', thresholds, '--baseline', 'main-older', '--store-dir', storeDir, '--json',
    ]);
    expect(result.code).toBe(EXIT.ok);
    const report = JSON.parse(result.stdout);
    // p99 of 20, 1 and 100: median 20, under 100 * 1.1
    expect(report.outcomes[0]).toMatchObject({ verdict: 'pass', observed: 20, baseline: 100 });
  });

  it('exits 2 for a run id the store does not have', async () => {
    const result = await chatbench(['gate', '--run', 'nope', '--thresholds', thresholds, '--store-dir', storeDir]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('--run nope: run nope is not in the metrics store');
  });

  it('fails baseline expressions as unknown when latest finds no comparable run', async () => {
    const result = await chatbench(['gate', '--run', 'other-params', '--thresholds', thresholds, '--baseline', 'latest', '--store-dir', storeDir]);
    expect(result.code).toBe(EXIT.gateFailed);
    expect(result.stderr).toContain('--baseline latest: no stored run of this scenario and params on another git sha');
    expect(result.stdout).toContain('gate FAILED: 0 passed, 0 failed, 2 unknown');
  });

  it('exits 2 for a bad --clickhouse-url, naming the option', async () => {
    const result = await chatbench(['gate', '--run', 'head', '--thresholds', thresholds, '--clickhouse-url', 'ftp://x']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('--clickhouse-url');
  });
});
