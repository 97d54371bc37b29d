import { describe, expect, it } from 'vitest';
import { curveFromSamples, curvesFromSamples, nearestRank, nearestRankIndex } from '../../../reports/percentiles.ts';
import { percentileSql, sweepFromRuns } from '../../../reports/load.ts';
import { vacationRun } from '../../support/report-fixtures.ts';

describe('exact percentiles', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('uses nearest rank: min at 0, max at 100, no interpolation', () => {
    expect(nearestRank(hundred, 0)).toBe(1);
    expect(nearestRank(hundred, 50)).toBe(50);
    expect(nearestRank(hundred, 99)).toBe(99);
    expect(nearestRank(hundred, 99.9)).toBe(100);
    expect(nearestRank(hundred, 100)).toBe(100);
    expect(nearestRank([7], 50)).toBe(7);
  });

  it('does not let float noise push p99.9 of 1000 samples to the max', () => {
    expect(nearestRankIndex(1000, 99.9)).toBe(999);
  });

  it.each([[-1], [100.5], [Number.NaN]])('rejects level %s', (q) => {
    expect(() => nearestRank(hundred, q)).toThrow('outside 0..100');
  });

  it('rejects an empty sample set, and an empty curve has no points', () => {
    expect(() => nearestRank([], 50)).toThrow('no samples');
    expect(curveFromSamples([])).toEqual({ count: 0, points: [] });
    expect(curveFromSamples([Number.NaN, 3]).count).toBe(1);
  });

  it('groups by model and metric, sorted', () => {
    const curves = curvesFromSamples([
      { model: 'b', metric: 'm', value_ms: 3 },
      { model: 'a', metric: 'm', value_ms: 1 },
      { model: 'a', metric: 'm', value_ms: 2 },
    ]);
    expect(Object.keys(curves)).toEqual(['a', 'b']);
    expect(curves.a!.m!.points.find((p) => p.q === 100)!.value_ms).toBe(2);
  });

  it('matches the fixture summary p99 and max', async () => {
    const run = await vacationRun();
    const curve = run.percentiles.naive!['latency.sync']!;
    expect(curve.count).toBe(4);
    expect(curve.points.find((p) => p.q === 99)!.value_ms).toBe(run.results.models.naive!.latency['latency.sync']!.p99);
  });

  it('quotes the run id in the store query', () => {
    expect(percentileSql("x' OR 1=1 --")).toContain("run_id = 'x\\' OR 1=1 --'");
  });
});

describe('sweeps', () => {
  it('finds the one varied parameter and orders its points', async () => {
    const { results } = await vacationRun();
    const at = (backlog: number) => ({ ...results, runId: `r${backlog}`, params: { ...results.params, backlog } });
    const sweep = sweepFromRuns('s', [at(20), at(5), at(10)])!;
    expect(sweep.parameter).toBe('backlog');
    expect(sweep.points.filter((p) => p.model === 'naive' && p.action === 'read').map((p) => [p.value, p.perAction['db.rows_written']])).toEqual([[5, 5], [10, 5], [20, 5]]);
  });

  it('is no sweep with one run or with two parameters varied', async () => {
    const { results } = await vacationRun();
    expect(sweepFromRuns('s', [results])).toBeUndefined();
    expect(sweepFromRuns('s', [results, { ...results, params: { pairs: 9, backlog: 9 } }])).toBeUndefined();
  });
});
