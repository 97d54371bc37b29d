// `chatbench report` as scripts call it: a real chDB store in a temp dir, the real CLI process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../analysis/store/index.ts';
import { readRunDir } from '../../analysis/store/run-dir.ts';
import { SWEEP_DIRS, VACATION_DIR } from '../support/report-fixtures.ts';

let dir: string;
let emptyStore: string;
let store: string;

function chatbench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/chatbench.mjs', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatbench-report-cli-'));
  emptyStore = join(dir, 'empty-store');
  store = join(dir, 'store');
  const metrics = await openStore({ dataDir: store });
  try {
    for (const runDir of [VACATION_DIR, ...SWEEP_DIRS]) {
      const run = await readRunDir(runDir);
      await metrics.saveRun(run.results, run.samples);
    }
  } finally {
    await metrics.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('chatbench report', () => {
  it('writes one HTML file for a stored run', () => {
    const out = join(dir, 'one.html');
    const result = chatbench('report', 'fixture-vacation-small', '--store-dir', store, '-o', out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`wrote ${out}`);
    const page = readFileSync(out, 'utf8');
    // the run's four charts, then the simulated section's tornado (priced with the shipped calibration)
    expect(page.match(/<figure class="chart" data-chart="(?!sensitivity)[^>]*><svg/g)?.length).toBe(4);
    expect(page).toContain('At 500M daily users (simulated)');
    expect(page.match(/<figure class="chart" data-chart="sensitivity"/g)?.length).toBe(1);
    expect(page).toContain('Opening a chat with a 5-message backlog costs naive 5 row writes and watermark 1');
  });

  it('gives the same page from the store as from the run directory (exact percentiles agree)', () => {
    const fromStore = join(dir, 'store.html');
    const fromDir = join(dir, 'dir.html');
    expect(chatbench('report', 'fixture-vacation-small', '--store-dir', store, '-o', fromStore).status).toBe(0);
    expect(chatbench('report', VACATION_DIR, '--store-dir', emptyStore, '-o', fromDir).status).toBe(0);
    const strip = (file: string) => readFileSync(file, 'utf8').replace(/ Generated [^<]*?Z\./, '');
    expect(strip(fromStore)).toBe(strip(fromDir));
  });

  it('draws the cost curve of the sweep a run belongs to, from the store', () => {
    const out = join(dir, 'sweep.html');
    expect(chatbench('report', 'fixture-sweep-backlog-10', '--store-dir', store, '-o', out).status).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('Sweep of backlog');
    expect(page).toMatch(/<figure class="chart" data-chart="sweep-cost"[^>]*><svg/);
    expect(page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toContain('20 fixture-sweep-backlog-20 20 1 20 1');
  });

  it('names the file after the run by default', async () => {
    const cwd = join(dir, 'cwd');
    await mkdir(cwd);
    const result = spawnSync(process.execPath, [join(process.cwd(), 'bin/chatbench.mjs'), 'report', join(process.cwd(), VACATION_DIR)], { cwd, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(existsSync(join(cwd, 'chatbench-report-fixture-vacation-small.html'))).toBe(true);
  });

  it.each([
    ['an empty store', ['report', 'anything', '--store-dir', () => emptyStore], 'holds no runs yet'],
    ['an unknown run id', ['report', 'nope', '--store-dir', () => store], 'unknown run id nope; recent runs: '],
    ['a run id with markup', ['report', '<script>', '--store-dir', () => store], 'run id "<script>" is not valid'],
    ['no run id', ['report', '--store-dir', () => store], "missing required argument 'runId'"],
    ['an empty --output', ['report', 'fixture-vacation-small', '--store-dir', () => store, '-o', ''], '--output must name a file'],
    ['both store options', ['report', 'x', '--store-dir', () => store, '--clickhouse-url', 'http://127.0.0.1:8123'], 'cannot be combined with --clickhouse-url'],
    ['an unknown option', ['report', 'x', '--colour'], "unknown option '--colour'"],
  ])('exits 2 for %s, saying why', (_label, args, message) => {
    const result = chatbench(...args.map((a) => (typeof a === 'function' ? a() : a)));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 1 for a run directory whose results are not valid', async () => {
    const bad = join(dir, 'bad-run');
    await mkdir(bad);
    await writeFile(join(bad, 'results.json'), '{"runId": 7}');
    await writeFile(join(bad, 'samples.tsv'), 'model\tmetric\tt_ms\tvalue_ms\ttags\n');
    const result = chatbench('report', bad, '-o', join(dir, 'bad.html'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('not a valid chatbench results document');
  });
});
