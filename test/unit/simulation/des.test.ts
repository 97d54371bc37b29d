// The discrete-event layer against closed forms: mean queueing time of M/M/1 and M/M/c within
// 2%, with a fixed seed and enough jobs that the estimate's own noise is well inside that.
import { describe, expect, it } from 'vitest';
import { exponential, quantile, simulate, type Job } from '../../../analysis/simulation/des.ts';
import { erlangC, mmcMeanWait } from '../../../analysis/simulation/queueing.ts';
import { seededRandom } from '../../../scenarios/plan.ts';

function poissonJobs(seed: number, n: number, lambda: number, mu: number): Job[] {
  const random = seededRandom(seed);
  let t = 0;
  return Array.from({ length: n }, () => {
    t += exponential(random, 1 / lambda);
    return { arrivalMs: t, stages: [{ station: 'queue', serviceMs: exponential(random, 1 / mu) }] };
  });
}

function meanWait(jobs: Job[], c: number): number {
  const results = simulate(jobs, { queue: c });
  // the first tenth warms the queue up from empty
  const steady = results.slice(Math.floor(results.length / 10));
  return steady.reduce((sum, r) => sum + r.waitMs, 0) / steady.length;
}

describe('discrete-event layer against closed forms', () => {
  // at 50% utilisation the sample mean over a million jobs has a standard error near 0.5%
  // (M/M/1) and 0.8% (M/M/3, hence two million), so 2% is 3.5 standard errors or more
  it('M/M/1 at 50% utilisation: mean wait within 2% of rho/(mu - lambda)', () => {
    const expected = mmcMeanWait(1, 0.5, 1);
    expect(expected).toBeCloseTo(1, 10);
    const simulated = meanWait(poissonJobs(7, 1_000_000, 0.5, 1), 1);
    expect(Math.abs(simulated / expected - 1)).toBeLessThan(0.02);
  });

  it('M/M/3 at 50% utilisation: mean wait within 2% of Erlang C', () => {
    const expected = mmcMeanWait(3, 1.5, 1);
    const simulated = meanWait(poissonJobs(11, 2_000_000, 1.5, 1), 3);
    expect(Math.abs(simulated / expected - 1)).toBeLessThan(0.02);
  });

  it('Erlang C matches known values', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    // c = 2, a = 1: P(wait) = 1/3
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(mmcMeanWait(1, 1, 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is deterministic: the same jobs give the same times', () => {
    const jobs = poissonJobs(3, 2000, 0.9, 1);
    expect(simulate(jobs, { queue: 1 })).toEqual(simulate(jobs, { queue: 1 }));
  });

  it('chains stations: a job waits for each in turn', () => {
    const jobs: Job[] = [0, 0].map((arrivalMs) => ({ arrivalMs, stages: [{ station: 'cpu', serviceMs: 2 }, { station: 'db', serviceMs: 5 }] }));
    const [first, second] = simulate(jobs, { cpu: 1, db: 1 });
    expect(first).toEqual({ arrivalMs: 0, doneMs: 7, waitMs: 0 });
    // cpu 2-4 after waiting 2, then waits for the db until 7, done at 12
    expect(second).toEqual({ arrivalMs: 0, doneMs: 12, waitMs: 2 + 3 });
  });

  it('refuses a station without servers', () => {
    expect(() => simulate([{ arrivalMs: 0, stages: [{ station: 'x', serviceMs: 1 }] }], {})).toThrow(/station "x"/);
  });

  it('nearest-rank quantiles', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBe(0);
  });
});
