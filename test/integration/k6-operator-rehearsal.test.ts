// The k6-operator round trip on one machine (drivers/k6/rehearse.ts): export, coordinator, a
// server node, 3 k6 runners with their own execution segments and files in one directory, then
// `k6 collect` into the store and `gate` over the stored run. The stored counts equal a Node run
// of the same plan and seed; stored quantiles equal nearest rank over the union of the runners'
// raw samples, read here straight from their files; receipts of pairs split across runners are
// timed; a cut or missing runner file is refused by name. A missing k6 fails the file
// (npm run setup:k6 builds it).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { latencyQuantiles } from '../../analysis/queries/latency-quantiles.ts';
import { openStore } from '../../analysis/store/index.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { rehearseK6Operator, type Rehearsal } from '../../drivers/k6/rehearse.ts';
import { RUN_FILES } from '../../drivers/k6/run-files.ts';
import { runCli } from '../support/cli.ts';
import { exactFigures, nearestRank } from '../support/exact-figures.ts';
import { requireTool } from '../support/tools.ts';

const found = await locateK6();
const missing = 'missing' in found ? found.missing : undefined;
requireTool('k6', missing);

const work = mkdtempSync(join(tmpdir(), 'chatbench-rehearsal-'));
const storeDir = join(work, 'store');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const scenario = 'vacation-backlog';
// 14 clients, 5 per VU: VUs [1-5] [6-10] [11-14], one per runner; the pair (5, 6) is split
const sets = ['pairs=7', 'backlog=6'];
const pairs = 7;
const backlog = 6;

/** Raw Trend points straight from the runners' k6 JSON lines, by k6 metric name. */
function rawPoints(files: string[]): Map<string, number[]> {
  const points = new Map<string, number[]>();
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"type":"Point"') || !line.includes('"metric":"latency_')) continue;
      const point = JSON.parse(line) as { metric: string; data: { value: number } };
      points.set(point.metric, [...(points.get(point.metric) ?? []), point.data.value]);
    }
  }
  return points;
}

/** Per runner file, the readers of read acks and the senders of own messages, from its receipt log. */
function logParticipants(file: string): { readers: Set<number>; senders: Set<number> } {
  const readers = new Set<number>();
  const senders = new Set<number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"metric":"chatbench_log"') || !line.includes('"type":"Point"')) continue;
    const point = JSON.parse(line) as { data: { tags: { kind: string }; metadata: { d: string } } };
    const numbers = point.data.metadata.d.split(',').map(Number);
    if (point.data.tags.kind === 'reads') for (let i = 0; i < numbers.length; i += 5) readers.add(numbers[i + 1]!);
    if (point.data.tags.kind === 'own') for (let i = 0; i < numbers.length; i += 3 + numbers[i + 2]!) senders.add(numbers[i + 1]!);
  }
  return { readers, senders };
}

describe('k6-operator rehearsal: 3 runners, collect, gate', () => {
  let rehearsal: Rehearsal;

  beforeAll(async () => {
    rehearsal = await rehearseK6Operator({
      workDir: join(work, 'cluster'),
      scenario,
      sets,
      clientsPerVu: 5,
      runners: 3,
      pgUrl: inject('pgAdminUrl'),
      collectArgs: ['--store-dir', storeDir],
    });
  }, 300_000);

  it('stores one k6 run from 3 runner files whose counts equal a single-process Node run of the same plan and seed', async () => {
    const { results, runnerFiles } = rehearsal;
    expect(runnerFiles).toHaveLength(3);
    expect({ driver: results.driver, runners: results.runners, incomplete: results.incomplete }).toEqual({ driver: 'k6', runners: 3, incomplete: undefined });
    const node = await runScenario({ scenario, sets, models: ['watermark'], driver: 'node', pgUrl: inject('pgAdminUrl'), outDir: join(work, 'node-run'), store: false });
    expect(exactFigures(results)).toEqual(exactFigures(node.results));
    const watermark = results.models.watermark!;
    expect({ ticks: watermark.check.ticks_consistent, db: watermark.db.consistent, app: watermark.db.app_rows_written }).toEqual({ ticks: true, db: true, app: watermark.db.tuples_written });
    expect(watermark.actions.send?.count).toBe(pairs * backlog);
    expect(watermark.actions.read?.['db.rows_written']).toBe(pairs);
  }, 180_000);

  it("stored p50/p95/p99 equal nearest rank over the union of the runners' raw samples", async () => {
    const store = await openStore({ dataDir: storeDir });
    try {
      const stored = await latencyQuantiles(store, rehearsal.results.runId);
      const points = rawPoints(rehearsal.runnerFiles);
      expect([...points.keys()].sort()).toEqual(['latency_ack', 'latency_sync']);
      for (const [k6Name, values] of points) {
        const sorted = [...values].sort((a, b) => a - b);
        const row = stored.find((entry) => entry.metric === k6Name.replace('_', '.'));
        expect(row).toEqual({ model: 'watermark', metric: k6Name.replace('_', '.'), count: sorted.length, p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99), max: sorted.at(-1) });
      }
      expect(stored.find((row) => row.metric === 'latency.ack')?.count).toBe(pairs * backlog);
    } finally {
      await store.close();
    }
  });

  it('times the receipts of pairs whose reader and sender ran in different runners', () => {
    const logs = rehearsal.runnerFiles.map(logParticipants);
    // users 5 and 6 (conversation 3): the reader's read in one runner's log, the sender's messages in another's
    const readerFile = logs.findIndex((log) => log.readers.has(6));
    const senderFile = logs.findIndex((log) => log.senders.has(5));
    expect(readerFile).toBeGreaterThanOrEqual(0);
    expect(senderFile).toBeGreaterThanOrEqual(0);
    expect(readerFile).not.toBe(senderFile);
    expect(rehearsal.results.models.watermark!.latency['latency.receipt']).toMatchObject({ count: pairs, missing: 0 });
  });

  it('a gate over the stored run passes and fails as it should', () => {
    const runId = rehearsal.results.runId;
    const passing = join(work, 'pass.json');
    writeFileSync(
      passing,
      JSON.stringify({
        watermark: {
          'read.rows_written_per_action': ['== 1'],
          'check.ticks_consistent': ['== true'],
          'db.consistent': ['== true'],
          'latency.receipt': ['p99 < 60000'],
        },
      }),
    );
    const pass = runCli(['gate', '--run', runId, '--thresholds', passing, '--store-dir', storeDir]);
    expect({ code: pass.code, stderr: pass.stderr }).toEqual({ code: 0, stderr: '' });
    expect(pass.stdout).toMatch(/4 passed, 0 failed, 0 unknown/);
    const failing = join(work, 'fail.json');
    writeFileSync(failing, JSON.stringify({ watermark: { 'read.rows_written_per_action': ['== 6'], 'latency.ack': ['p50 < 0'] } }));
    const fail = runCli(['gate', '--run', runId, '--thresholds', failing, '--store-dir', storeDir]);
    expect(fail.code).toBe(3);
    expect(fail.stdout).toContain('FAIL watermark read.rows_written_per_action == 6: 1 (7 / 7 read) not == 6');
    expect(fail.stdout).toContain(`FAIL watermark latency.ack p50 < 0: p50`);
  });

  /** A copy of the shared directory with `change` applied to it, collected again. */
  function collectChanged(name: string, change: (dir: string, files: string[]) => void) {
    const dir = join(work, name);
    mkdirSync(dir);
    for (const file of readdirSync(rehearsal.resultsDir)) copyFileSync(join(rehearsal.resultsDir, file), join(dir, file));
    change(dir, rehearsal.runnerFiles.map((file) => join(dir, basename(file))));
    const before = runCli(['runs', '--json', '--store-dir', storeDir]).stdout;
    // the database is gone by now: a refused run never gets that far
    const result = runCli(['k6', 'collect', dir, '--run-config', join(rehearsal.exportDir, RUN_FILES.runConfig), '--pg-url', 'postgres://127.0.0.1:1/gone', '--store-dir', storeDir]);
    expect(runCli(['runs', '--json', '--store-dir', storeDir]).stdout).toBe(before);
    return result;
  }

  it('refuses a truncated runner file by its name and stores nothing', () => {
    let cut = '';
    const result = collectChanged('truncated', (_dir, files) => {
      cut = files[1]!;
      truncateSync(cut, Math.floor(statSync(cut).size / 2));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${cut}: truncated`);
    expect(result.stderr).toMatch(/incomplete, nothing stored/);
  });

  it('refuses a run with a runner file missing, naming its execution segment and VU', () => {
    const result = collectChanged('missing', (_dir, files) => rmSync(files[2]!));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/runner with execution segment 2\/3:1 \(of 3\): no whole output file/);
    expect(result.stderr).toMatch(/VUs 2 of 3 never reported/);
  });
});
