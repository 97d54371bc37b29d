// The k6 driver against the real server and Postgres: the same scenario and seed give the same
// exact counts as the Node driver; two k6 processes with their own execution segments feed one
// run whose stored quantiles are exact over both processes' raw samples. A missing k6 fails the
// file (npm run setup:k6 builds it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { latencyQuantiles } from '../../analysis/queries/latency-quantiles.ts';
import type { RunResults } from '../../analysis/results-schema.ts';
import { openStore } from '../../analysis/store/index.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { createK6Driver } from '../../drivers/k6/driver.ts';
import { runModel } from '../../drivers/orchestrator.ts';
import type { DriverOutcome, LoadDriver } from '../../drivers/types.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { exactFigures, nearestRank } from '../support/exact-figures.ts';
import { requireTool } from '../support/tools.ts';

const found = await locateK6();
const missing = 'missing' in found ? found.missing : undefined;
requireTool('k6', missing);

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function run(scenario: string, sets: string[], driver: string, models?: string[], modelOpts?: string[]): Promise<RunResults> {
  const outcome = await runScenario({ scenario, sets, driver, models, modelOpts, pgUrl: inject('pgAdminUrl'), outDir: join(tempDir('chatbench-k6-run-'), 'run'), store: false });
  return outcome.results;
}

describe('k6 driver', () => {
  it('k6 is available (CI builds it with npm run setup:k6)', () => {
    expect(missing).toBeUndefined();
  });

  const cases: [string, string[], string[]?][] = [
    // every shipped model; write-behind flushing only when the run engine drains it, so its flushes are exact too
    ['vacation-backlog', ['pairs=4', 'backlog=6'], ['naive', 'watermark', 'write-behind', 'hybrid']],
    ['receipts-toggle', ['users=3', 'conversations=6', 'opens=2']],
    ['mass-reconnect', ['users=8', 'conversations=2', 'changes=3', 'window=1']],
    // history driven through the server: state carried across four phases per client
    ['mass-reconnect', ['users=6', 'conversations=2', 'changes=2', 'window=1', 'liveHistory=1']],
  ];
  for (const [scenario, sets, models] of cases) {
    it(`${scenario} ${sets.join(' ')}${models ? ` (${models.join(',')})` : ''}: the same exact counts as the Node driver`, async () => {
      const modelOpts = models?.includes('write-behind') ? ['write-behind.flushMs=600000'] : undefined;
      const node = await run(scenario, sets, 'node', models, modelOpts);
      const k6 = await run(scenario, sets, 'k6', models, modelOpts);
      if (models) expect(Object.keys(k6.models)).toEqual(models);
      expect(k6.driver).toBe('k6');
      for (const result of Object.values(k6.models)) expect({ ticks: result.check.ticks_consistent, examples: result.check.examples }).toEqual({ ticks: true, examples: [] });
      expect(exactFigures(k6)).toEqual(exactFigures(node));
    }, 180_000);
  }

  it('two k6 processes with their own execution segments feed one run with exact quantiles over both, receipts timed across them', async () => {
    const scenario = 'vacation-backlog';
    const params = { pairs: 5, backlog: 8, sendRate: 2000, returnWindow: 0, leave: 0 };
    const plan = SCENARIOS[scenario]!.plan(params as never, 1);
    let captured: DriverOutcome | undefined;
    // 10 clients, 5 per VU: 2 VUs, one per process (segments 0:1/2 and 1/2:1); the pair of users
    // 5 and 6 is split between them, so its receipt is only known by matching both processes' logs
    const k6 = createK6Driver({ processes: 2, clientsPerVu: 5 });
    const driver: LoadDriver = { ...k6, execute: async (context, prepared) => (captured = await k6.execute(context, prepared)) };
    const { result, samples } = await runModel({ model: MODELS.watermark!, plan, driver, pgAdminUrl: inject('pgAdminUrl'), postgresEmbedded: true, nodes: 1, secret: 'k6-segments-secret' });
    expect({ ticks: result.check.ticks_consistent, examples: result.check.examples, db: result.db.consistent }).toEqual({ ticks: true, examples: [], db: true });
    expect(result.actions.send?.count).toBe(params.pairs * params.backlog);
    expect(result.actions.read?.['db.rows_written']).toBe(params.pairs);
    // one receipt per pair, the split one included, and none missing
    expect(result.latency['latency.receipt']).toMatchObject({ count: params.pairs, missing: 0 });
    // a part per process with its own samples, and the receipts matched across both
    expect(captured!.latency).toHaveLength(3);
    for (const part of captured!.latency) expect(part.samples.length).toBeGreaterThan(0);
    expect(captured!.latency[2]!.samples.map((sample) => sample.metric)).toEqual(Array(params.pairs).fill('latency.receipt'));
    expect(captured!.generator.processes).toBe(2);

    const store = await openStore({ dataDir: join(tempDir('chatbench-k6-store-'), 'store') });
    try {
      const runId = 'k6-segments-1';
      const results: RunResults = { runId, scenario, seed: 1, params, driver: 'k6', startedAt: new Date().toISOString(), gitSha: '', models: { watermark: result } };
      expect(await store.saveRun(results, samples)).toBe(true);
      const stored = await latencyQuantiles(store, runId);
      const union = new Map<string, number[]>();
      for (const part of captured!.latency) for (const sample of part.samples) union.set(sample.metric, [...(union.get(sample.metric) ?? []), sample.value_ms]);
      const expected = [...union].map(([metric, values]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return { model: 'watermark', metric, count: sorted.length, p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99), max: sorted.at(-1)! };
      });
      expect(stored.sort((a, b) => a.metric.localeCompare(b.metric))).toEqual(expected.sort((a, b) => a.metric.localeCompare(b.metric)));
      expect(stored.find((row) => row.metric === 'latency.ack')?.count).toBe(params.pairs * params.backlog);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('k6 export writes an archive k6 can run, a ConfigMap and a TestRun with the parallelism', async () => {
    const { spawnSync } = await import('node:child_process');
    const out = tempDir('chatbench-k6-export-');
    const cli = spawnSync(process.execPath, ['bin/chatbench.mjs', 'k6', 'export', 'group-1000', '--set', 'members=40', '--parallelism', '2', '--clients-per-vu', '10', '--out', out], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect({ code: cli.status, stderr: cli.stderr }).toEqual({ code: 0, stderr: '' });
    const testRun = readFileSync(join(out, 'testrun.yaml'), 'utf8');
    expect(testRun).toMatch(/^apiVersion: k6\.io\/v1alpha1$/m);
    expect(testRun).toMatch(/^kind: TestRun$/m);
    expect(testRun).toMatch(/^ {2}parallelism: 2$/m);
    expect(testRun).toMatch(/configMap:\n\s+name: chatbench-group-1000\n\s+file: chatbench\.tar/);
    const configMap = readFileSync(join(out, 'configmap.yaml'), 'utf8');
    const base64 = configMap.split('chatbench.tar: |\n')[1]!.replace(/\s+/g, '');
    expect(Buffer.from(base64, 'base64').equals(readFileSync(join(out, 'chatbench.tar')))).toBe(true);
    // the archive carries the plan: k6 reads 40 clients / 10 per VU = 4 VUs from it, no env needed
    const inspect = spawnSync((found as { path: string }).path, ['inspect', join(out, 'chatbench.tar')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout).scenarios.chat).toMatchObject({ executor: 'per-vu-iterations', vus: 4, iterations: 1 });
  }, 120_000);
});
