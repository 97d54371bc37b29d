// The same contract over every registered store backend: embedded chDB and a real ClickHouse
// server (started here). A backend added to ENGINES without a setup below fails the first test.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionCosts } from '../../../analysis/queries/action-costs.ts';
import { compareWithBaseline } from '../../../analysis/queries/baseline-compare.ts';
import { compareModels } from '../../../analysis/queries/model-ratios.ts';
import { latencyQuantiles } from '../../../analysis/queries/latency-quantiles.ts';
import { sweepCurve } from '../../../analysis/queries/sweep-curve.ts';
import { ACTION_FIGURES, QUANTILES } from '../../../analysis/metric-names.ts';
import type { RunResults } from '../../../analysis/results-schema.ts';
import { ENGINES, openStore, StoreQueryError, type OpenStoreOptions, type StoreKind } from '../../../analysis/store/index.ts';
import { persistRun, readRunDir, writeRunDir } from '../../../analysis/store/run-dir.ts';
import { migrate, SchemaVersionError } from '../../../analysis/store/schema.ts';
import { RunRejectedError } from '../../../analysis/store/sql-store.ts';
import { InvalidIdentifierError } from '../../../analysis/store/sql.ts';
import type { MetricsStore } from '../../../analysis/store/types.ts';
import { startClickhouseServer, type ClickhouseServer } from '../../support/clickhouse-server.ts';
import { FIXTURE_DIR, fixtureResults, fixtureSamples, tempDir } from '../../support/store-fixtures.ts';

interface Setup {
  options: OpenStoreOptions;
  teardown: () => Promise<void>;
  /**
   * ClickHouse 18.16 parses text floats to within one unit in the last place (2.236 is stored as
   * 2.2359999999999998); chDB parses them exactly.
   */
  exactFloats: boolean;
}

const SETUPS: Record<StoreKind, () => Promise<Setup>> = {
  chdb: async () => ({ options: { dataDir: join(tempDir('chdb'), 'store') }, teardown: async () => undefined, exactFloats: true }),
  clickhouse: async () => {
    const server: ClickhouseServer = await startClickhouseServer();
    return { options: { clickhouseUrl: server.url }, teardown: () => server.remove(), exactFloats: false };
  },
};

it('every registered store backend is covered by this suite', () => {
  expect(Object.keys(SETUPS).sort()).toEqual(Object.keys(ENGINES).sort());
});

/** A copy of the fixture under another id, optionally changed, written as a run dir. */
async function variant(id: string, change: (results: RunResults) => void = () => undefined): Promise<string> {
  const results = fixtureResults();
  results.runId = id;
  change(results);
  const dir = join(tempDir('run'), id);
  await writeRunDir(dir, results, fixtureSamples());
  return dir;
}

for (const kind of Object.keys(SETUPS) as StoreKind[]) {
  describe(`${kind} store`, () => {
    let store: MetricsStore;
    let teardown: () => Promise<void>;
    let options: OpenStoreOptions;
    let exactFloats = true;

    beforeAll(async () => {
      ({ options, teardown, exactFloats } = await SETUPS[kind]());
      const first = await persistRun(FIXTURE_DIR, options);
      expect(first).toEqual({ stored: true, alreadyStored: false });
      store = await openStore(options);
    });
    afterAll(async () => {
      await store?.close();
      await teardown?.();
    });

    it('reports its kind and holds the fixture run', async () => {
      expect(store.kind).toBe(kind);
      expect(await store.hasRun('fixture-vacation-small')).toBe(true);
      expect(await store.hasRun('never-stored')).toBe(false);
    });

    it('stores exactly the samples recorded, per model and metric', async () => {
      const results = fixtureResults();
      const rows = await store.query<{ model: string; metric: string; values: number[] }>(
        "SELECT model, metric, arraySort(groupArray(value_ms)) AS values FROM samples WHERE run_id = 'fixture-vacation-small' GROUP BY model, metric",
      );
      const fromFile = new Map<string, number[]>();
      for (const sample of fixtureSamples()) {
        const key = `${sample.model} ${sample.metric}`;
        fromFile.set(key, [...(fromFile.get(key) ?? []), sample.value_ms]);
      }
      const stored = new Map(rows.map((row) => [`${row.model} ${row.metric}`, row.values]));
      expect([...stored.keys()].sort()).toEqual([...fromFile.keys()].sort());
      for (const [model, result] of Object.entries(results.models)) {
        for (const [metric, count] of Object.entries(result.samples ?? {})) {
          expect(stored.get(`${model} ${metric}`)?.length, `${model} ${metric}`).toBe(count);
          const expected = [...fromFile.get(`${model} ${metric}`)!].sort((a, b) => a - b);
          const got = stored.get(`${model} ${metric}`)!;
          if (exactFloats) expect(got).toEqual(expected);
          else got.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(Math.abs(expected[i]!) * 1e-15));
        }
      }
    });

    it('returns the results document exactly as stored', async () => {
      expect(await store.getRun('fixture-vacation-small')).toEqual(fixtureResults());
      expect(await store.getRun('never-stored')).toBeUndefined();
    });

    it('computes the same quantiles from raw samples as the run reported (within 1%)', async () => {
      const results = fixtureResults();
      const rows = await latencyQuantiles(store, 'fixture-vacation-small');
      expect(rows.length).toBe(8);
      for (const row of rows) {
        const reported = results.models[row.model]!.latency[row.metric as 'latency.ack']!;
        expect(row.count).toBe(reported.count);
        for (const quantile of QUANTILES) {
          expect(Math.abs(row[quantile] - reported[quantile]), `${row.model} ${row.metric} ${quantile}`).toBeLessThanOrEqual(reported[quantile] * 0.01);
        }
      }
    });

    it('divides per-action figures by their count', async () => {
      const rows = await actionCosts(store, 'fixture-vacation-small');
      const results = fixtureResults();
      expect(rows.length).toBe(10);
      for (const row of rows) {
        const figures = results.models[row.model]!.actions[row.action as 'read']!;
        expect(row.count).toBe(figures.count);
        for (const figure of ACTION_FIGURES) {
          expect(row.totals[figure]).toBe(figures[figure]);
          expect(row.perAction[figure]).toBeCloseTo(figures[figure] / figures.count, 12);
        }
      }
      expect(rows.find((r) => r.model === 'naive' && r.action === 'read')!.perAction['db.rows_written']).toBe(5);
      expect(rows.find((r) => r.model === 'watermark' && r.action === 'read')!.perAction['db.rows_written']).toBe(1);
    });

    it('stores a run once however often it is loaded', async () => {
      expect(await persistRun(FIXTURE_DIR, options)).toEqual({ stored: false, alreadyStored: true });
      const [row] = await store.query<{ n: unknown }>("SELECT count() AS n FROM samples WHERE run_id = 'fixture-vacation-small'");
      expect(Number(row!.n)).toBe(96);
      const [runs] = await store.query<{ n: unknown }>("SELECT count() AS n FROM runs WHERE run_id = 'fixture-vacation-small'");
      expect(Number(runs!.n)).toBe(2);
    });

    it('lists runs with their scenario, params, models, sha and driver', async () => {
      const runs = await store.listRuns();
      const fixture = runs.find((run) => run.runId === 'fixture-vacation-small');
      expect(fixture).toEqual({
        runId: 'fixture-vacation-small',
        scenario: 'vacation-backlog',
        startedAt: '2026-11-23T00:00:00.000Z',
        params: { pairs: 4, backlog: 5 },
        seed: 1,
        models: ['naive', 'watermark'],
        gitSha: '0000000000000000000000000000000000000000',
        driver: 'node',
      });
      expect(await store.listRuns({ scenario: 'group-1000' })).toEqual([]);
      await expect(store.listRuns({ limit: 0 })).rejects.toThrow('limit');
    });

    it('compares a run with a baseline, per model, action and metric', async () => {
      const dir = await variant(`cmp-${kind}`, (results) => {
        results.gitSha = '1111111111111111111111111111111111111111';
        results.models.naive!.actions.read!['db.rows_written'] = 40; // 10 per read instead of 5
      });
      expect((await persistRun(dir, options)).stored).toBe(true);
      const rows = await compareWithBaseline(store, `cmp-${kind}`, 'fixture-vacation-small');
      const written = rows.find((r) => r.model === 'naive' && r.name === 'read.db.rows_written_per_action')!;
      expect(written).toMatchObject({ kind: 'action', run: 10, baseline: 5, delta: 5, relative: 1 });
      const unchanged = rows.find((r) => r.model === 'watermark' && r.name === 'latency.receipt.p95')!;
      expect(unchanged).toMatchObject({ kind: 'latency', delta: 0, relative: 0 });
      expect(rows.filter((r) => r.kind === 'latency').length).toBe(2 * 4 * QUANTILES.length);
    });

    it('compares the models of a run against its baseline model, or another one, for any number of models', async () => {
      // a third model shaped like watermark (its samples too), and the run's baseline moved to it
      const results = fixtureResults();
      results.runId = `models-${kind}`;
      results.models.third = structuredClone(results.models.watermark!);
      results.models.third.actions.read!['db.rows_written'] = 2; // half a row per read
      results.baseline = 'third';
      const samples = fixtureSamples();
      const dir = join(tempDir('run'), results.runId);
      await writeRunDir(dir, results, [...samples, ...samples.filter((s) => s.model === 'watermark').map((s) => ({ ...s, model: 'third' }))]);
      expect(await persistRun(dir, options)).toMatchObject({ stored: true });
      const read = (rows: Awaited<ReturnType<typeof compareModels>>['rows']) =>
        Object.fromEntries(rows.filter((r) => r.action === 'read' && r.figure === 'db.rows_written').map((r) => [r.model, [r.perAction, r.ratio]]));
      const own = await compareModels(store, `models-${kind}`);
      expect(own.baseline).toBe('third');
      expect(read(own.rows)).toEqual({ naive: [5, 0.1], watermark: [1, 0.5], third: [0.5, 1] });
      const againstNaive = await compareModels(store, `models-${kind}`, 'naive');
      expect(read(againstNaive.rows)).toEqual({ naive: [5, 1], watermark: [1, 5], third: [0.5, 10] });
      // the fixture has no baseline recorded: its first model is the baseline
      expect((await compareModels(store, 'fixture-vacation-small')).baseline).toBe('naive');
      await expect(compareModels(store, `models-${kind}`, 'nobody')).rejects.toThrow('baseline model "nobody" is not in run');
    });

    it("draws a sweep's cost curve over the varied parameter", async () => {
      for (const backlog of [50, 5, 20]) {
        const dir = await variant(`sweep-${kind}-${backlog}`, (results) => {
          results.sweepId = `sweep-${kind}`;
          results.params = { pairs: 4, backlog };
          results.models.naive!.actions.read!['db.rows_written'] = 4 * backlog;
        });
        expect((await persistRun(dir, options)).stored).toBe(true);
      }
      const curve = await sweepCurve(store, `sweep-${kind}`);
      expect(curve.parameter).toBe('backlog');
      const naiveRead = curve.points.filter((p) => p.model === 'naive' && p.action === 'read');
      expect(naiveRead.map((p) => [p.value, p.perAction['db.rows_written']])).toEqual([
        [5, 5],
        [20, 20],
        [50, 50],
      ]);
      await expect(sweepCurve(store, 'no-such-sweep')).rejects.toThrow('no stored runs belong to sweep no-such-sweep');
      await expect(sweepCurve(store, `sweep-${kind}`, 'pairs')).resolves.toMatchObject({ parameter: 'pairs' });
      await expect(sweepCurve(store, `sweep-${kind}`, 'nope')).rejects.toThrow('parameter "nope" is not a param');
      await expect(sweepCurve(store, "x' OR 1=1")).rejects.toThrow('not valid');
    });

    it('rejects run ids that are not ids, before any SQL runs', async () => {
      for (const bad of ["x' OR '1'='1", '', 'a b', '../etc', 'x'.repeat(200)]) {
        await expect(store.getRun(bad)).rejects.toThrow(InvalidIdentifierError);
        await expect(latencyQuantiles(store, bad)).rejects.toThrow(InvalidIdentifierError);
        await expect(actionCosts(store, bad)).rejects.toThrow(InvalidIdentifierError);
        await expect(compareWithBaseline(store, 'fixture-vacation-small', bad)).rejects.toThrow('baseline run id');
      }
    });

    it('answers bad SQL with the engine error in one line', async () => {
      const error = await store.query('SELEC 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreQueryError);
      expect((error as Error).message).toMatch(/Syntax error/);
      expect((error as Error).message).not.toContain('\n');
      await expect(store.query('SELECT * FROM no_such_table')).rejects.toThrow(StoreQueryError);
      await expect(store.query('  ;  ')).rejects.toThrow('empty');
      expect(await store.query('SELECT 1 AS one;')).toEqual([{ one: 1 }]);
    });

    it('clears what an interrupted save left and then stores the run whole', async () => {
      const id = `partial-${kind}`;
      const results = { ...fixtureResults(), runId: id };
      // Results claim more samples than given: rejected after the samples went in, before the commit mark.
      const lying = structuredClone(results);
      lying.models.naive!.samples!['latency.ack'] = 21;
      await expect(store.saveRun(lying, fixtureSamples())).rejects.toThrow(RunRejectedError);
      expect(await store.hasRun(id)).toBe(false);
      expect(await store.saveRun(results, fixtureSamples())).toBe(true);
      const [row] = await store.query<{ n: unknown }>(`SELECT count() AS n FROM samples WHERE run_id = '${id}'`);
      expect(Number(row!.n)).toBe(96);
      const [actions] = await store.query<{ n: unknown }>(`SELECT count() AS n FROM actions WHERE run_id = '${id}'`);
      expect(Number(actions!.n)).toBe(10);
    });

    it('refuses samples of a model the results do not have, and runs with no models', async () => {
      const results = { ...fixtureResults(), runId: `stray-${kind}` };
      const samples = [...fixtureSamples(), { model: 'redis', metric: 'latency.ack', t_ms: 0, value_ms: 1, tags: '{}' }];
      await expect(store.saveRun(results, samples)).rejects.toThrow('model "redis"');
      await expect(store.saveRun({ ...results, models: {} }, [])).rejects.toThrow('no models');
      expect(await store.hasRun(`stray-${kind}`)).toBe(false);
    });

    it('migrates once and refuses a store newer than itself', async () => {
      const { ENGINES: engines, resolveStoreOptions } = await import('../../../analysis/store/index.ts');
      const engine = await engines[kind](resolveStoreOptions(options));
      try {
        expect(await migrate(engine)).toEqual([]);
        await expect(migrate(engine, [])).rejects.toThrow(SchemaVersionError);
      } finally {
        await engine.close();
      }
    });

    it('stores a simulation once, returns its document exactly, lists it, and refuses a bad id', async () => {
      const document = {
        simulationId: 'sim-0123456789abcdef',
        seed: 3,
        models: ['naive', 'watermark'],
        workload: { name: 'whatsapp-500m' },
        calibration: { gitSha: 'abc123' },
        figures: { statements: 3.25e12, text: "tab\there, quote ' and backslash \\", nested: [1, 2.5, null] },
      };
      expect(await store.saveSimulation(document)).toBe(true);
      expect(await store.saveSimulation(document)).toBe(false);
      expect(await store.getSimulation(document.simulationId)).toEqual(document);
      expect(await store.getSimulation('sim-ffffffffffffffff')).toBeUndefined();
      const listed = (await store.listSimulations()).find((entry) => entry.simulationId === document.simulationId);
      expect(listed).toMatchObject({ workload: 'whatsapp-500m', models: ['naive', 'watermark'], calibrationGitSha: 'abc123', seed: 3 });
      await expect(store.saveSimulation({ ...document, simulationId: "sim-x'; DROP TABLE runs" })).rejects.toThrow(InvalidIdentifierError);
      const [count] = await store.query<{ n: unknown }>("SELECT count() AS n FROM simulations WHERE simulation_id = 'sim-0123456789abcdef'");
      expect(Number(count!.n)).toBe(1);
    });

    it('keeps a run directory readable after storing it (the files stay the source)', async () => {
      const run = await readRunDir(FIXTURE_DIR);
      expect(run.sampleCounts.naive).toEqual(fixtureResults().models.naive!.samples);
    });
  });
}
