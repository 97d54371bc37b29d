// Latency that measured a queue is told apart from latency that measured the model: offered and
// sustained rates from the samples, and the warning the CLI prints for a run that outran the server.
import { describe, expect, it } from 'vitest';
import { loadOf, queueingSentence } from '../../analysis/saturation.ts';

/** `count` actions scheduled evenly over `scheduleMs`, each completing `latency(i)` ms later */
function samples(count: number, scheduleMs: number, latency: (index: number) => number) {
  return Array.from({ length: count }, (_, index) => {
    const scheduled = (index * scheduleMs) / (count - 1);
    const value_ms = latency(index);
    return { t_ms: scheduled + value_ms, value_ms };
  });
}

describe('loadOf', () => {
  it('a server that keeps up: sustained close to offered, not queueing', () => {
    const load = loadOf(samples(2001, 2000, () => 2))!;
    expect(load.offered_per_s).toBeCloseTo(1000.5, 0);
    expect(load.sustained_per_s).toBeGreaterThan(990);
    expect(load.queueing).toBe(false);
  });

  it('a server completing at half the offered rate: queueing', () => {
    // each action waits behind the ones before it: completion at 1 per 2 ms while 1 per ms is offered
    const load = loadOf(samples(2001, 2000, (index) => index))!;
    expect(load.sustained_per_s).toBeCloseTo(500.3, 0);
    expect(load.queueing).toBe(true);
    expect(queueingSentence('latency.ack', load)).toBe('ack latency here is queueing: the plan offered 1,001/s, the server sustained 500/s');
  });

  it('says nothing from too few samples or a schedule shorter than a second', () => {
    expect(loadOf(samples(20, 5000, (index) => index * 100))).toBeUndefined();
    expect(loadOf(samples(500, 200, (index) => index * 10))).toBeUndefined();
  });
});

describe('queueingLines', () => {
  it('warns once per model and metric that queued, and not for the others', async () => {
    const { queueingLines } = await import('../../cli/render-run.ts');
    const summary = { count: 100, p50: 1, p95: 2, p99: 3, max: 4 };
    const results = {
      models: {
        naive: { latency: { 'latency.ack': { ...summary, load: { offered_per_s: 2000, sustained_per_s: 1150, queueing: true } } } },
        watermark: { latency: { 'latency.ack': { ...summary, load: { offered_per_s: 2000, sustained_per_s: 1990, queueing: false } } } },
      },
    } as never;
    expect(queueingLines(results, ['naive', 'watermark'])).toEqual(['warning: naive ack latency here is queueing: the plan offered 2,000/s, the server sustained 1,150/s']);
  });
});
