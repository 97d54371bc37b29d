import { describe, expect, it } from 'vitest';
import { parse } from 'vega';
import { compile } from 'vega-lite';
import { CHARTS, type ChartSource } from '../../../reports/charts/index.ts';
import { modelColorScale, needsLogScale } from '../../../reports/charts/common.ts';
import { specToSvg } from '../../../reports/render-svg.ts';
import { backlogSweep, reconnectRun, vacationRun } from '../../support/report-fixtures.ts';
import { fixtureSimulation } from '../../support/simulation-fixtures.ts';

const sources: Record<string, () => Promise<ChartSource>> = {
  'vacation-small': async () => ({ run: await vacationRun() }),
  'mass-reconnect-small': async () => ({ run: await reconnectRun() }),
  'sweep-backlog': async () => ({ sweep: await backlogSweep() }),
  simulation: async () => ({ simulation: fixtureSimulation() }),
  empty: async () => ({}),
  'run without data': async () => {
    const run = await vacationRun();
    const models = Object.fromEntries(
      Object.entries(run.results.models).map(([m, r]) => [m, { ...r, actions: {}, phases: [], timeline: [] }]),
    );
    return { run: { results: { ...run.results, models }, percentiles: {} } };
  },
  // any number of models: five, the fixture's two copied under new names
  'five models': async () => {
    const run = await vacationRun();
    const { naive, watermark } = run.results.models;
    const models = { naive: naive!, watermark: watermark!, 'write-behind': watermark!, hybrid: naive!, fifth: watermark! };
    const percentiles = { ...run.percentiles, fifth: run.percentiles.watermark! };
    return { run: { results: { ...run.results, models }, percentiles } };
  },
};

// Which charts each fixture must draw: a chart silently returning undefined is a failure too.
const EXPECTED: Record<string, string[]> = {
  'vacation-small': ['rows-written', 'events-pushed', 'latency-percentiles', 'wal-phases'],
  'mass-reconnect-small': ['rows-written', 'events-pushed', 'latency-percentiles', 'reconnect-timeline', 'wal-phases'],
  'sweep-backlog': ['sweep-cost'],
  simulation: ['sensitivity'],
  empty: [],
  'run without data': [],
  'five models': ['rows-written', 'events-pushed', 'latency-percentiles', 'wal-phases'],
};

describe('chart registry contract', () => {
  for (const [id, chart] of Object.entries(CHARTS)) {
    for (const [name, load] of Object.entries(sources)) {
      it(`${id} on ${name}: a valid vega-lite spec or undefined`, async () => {
        const spec = chart.build(await load());
        expect(spec !== undefined).toBe(EXPECTED[name]!.includes(id));
        if (!spec) return;
        const vega = compile(spec).spec;
        expect(() => parse(vega)).not.toThrow();
        const svg = await specToSvg(spec);
        expect(svg).toMatch(/^<svg/);
        expect(svg).toContain('role-mark');
      });
    }
  }

  it('every chart has a title', () => {
    for (const chart of Object.values(CHARTS)) expect(chart.title.length).toBeGreaterThan(0);
  });
});

describe('model colours', () => {
  it('gives every model of a run its own colour, the same in every chart', async () => {
    const source = await sources['five models']!();
    const scales = ['rows-written', 'events-pushed', 'wal-phases'].map((id) => (CHARTS[id]!.build(source) as { encoding: { color: { scale: unknown } } }).encoding.color.scale);
    const { domain, range } = scales[0] as { domain: string[]; range: string[] };
    expect(domain).toEqual(['naive', 'watermark', 'write-behind', 'hybrid', 'fifth']);
    expect(new Set(range).size).toBe(5);
    for (const scale of scales) expect(scale).toEqual(scales[0]);
    expect(new Set(modelColorScale(Array.from({ length: 12 }, (_, i) => `m${i}`)).range).size).toBe(12);
  });
});

describe('chart specs (golden)', () => {
  for (const [name, load] of Object.entries(sources)) {
    if (name === 'five models') continue;
    for (const id of EXPECTED[name]!) {
      it(`${id} from ${name}`, async () => {
        const spec = CHARTS[id]!.build(await load());
        await expect(`${JSON.stringify(spec, null, 2)}\n`).toMatchFileSnapshot(`__golden__/${id}.${name}.json`);
      });
    }
  }
});

describe('scales', () => {
  it('switches to a log-like scale only when values differ tenfold or more', () => {
    expect(needsLogScale([1, 5])).toBe(false);
    expect(needsLogScale([1, 10])).toBe(true);
    expect(needsLogScale([0, 0, 200])).toBe(false);
    expect(needsLogScale([])).toBe(false);
  });

  it('uses symlog for rows written when the sweep spans 1 to 20 rows per action', async () => {
    const spec = CHARTS['sweep-cost']!.build({ sweep: await backlogSweep() }) as { spec: { encoding: { y: { scale: { type: string } } } } };
    expect(spec.spec.encoding.y.scale.type).toBe('symlog');
  });

  it('keeps a linear axis for the small vacation run (5 vs 1)', async () => {
    const spec = CHARTS['rows-written']!.build({ run: await vacationRun() }) as { encoding: { y: { scale: { type: string } } } };
    expect(spec.encoding.y.scale.type).toBe('linear');
  });
});
