// The sink against a fake engine (unit test): batching, ordering, never blocking, failures.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../analysis/results-schema.ts';
import type { SqlEngine } from '../../../analysis/store/engine.ts';
import { BatchingSampleSink, validateSinkOptions } from '../../../analysis/store/sink.ts';

class FakeEngine implements SqlEngine {
  readonly kind = 'fake';
  readonly location = 'memory';
  batches: string[][] = [];
  release: (() => void)[] = [];
  constructor(
    private readonly hold = false,
    private readonly failOn = -1,
  ) {}
  async exec(): Promise<void> {}
  async select<Row>(): Promise<Row[]> {
    return [];
  }
  async insertTsv(_table: string, _columns: readonly string[], tsv: Buffer): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.release.push(resolve));
    if (this.batches.length === this.failOn) throw new Error('disk full');
    this.batches.push(tsv.toString().trimEnd().split('\n'));
  }
  async readOnly(): Promise<void> {}
  async close(): Promise<void> {}
}

const sample = (i: number, extra: Partial<Sample> = {}): Sample => ({ model: 'naive', metric: 'latency.ack', t_ms: i, value_ms: i / 10, tags: '{}', ...extra });

describe('batching sample sink', () => {
  it('writes full batches in order and the remainder on stop', async () => {
    const engine = new FakeEngine();
    const sink = new BatchingSampleSink(engine, 'r1', { batchRows: 3 });
    sink.start();
    for (let i = 0; i < 7; i++) sink.add(sample(i));
    expect(await sink.stop()).toEqual({ rows: 7 });
    expect(engine.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(engine.batches.flat().map((line) => line.split('\t')[3])).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(engine.batches[0]![0]).toBe('r1\tnaive\tlatency.ack\t0\t0\t{}');
  });

  it('escapes tabs and newlines in tags so one sample stays one row', async () => {
    const engine = new FakeEngine();
    const sink = new BatchingSampleSink(engine, 'r1');
    sink.add(sample(1, { tags: '{"note":"a\tb\nc"}' }));
    await sink.stop();
    expect(engine.batches).toEqual([['r1\tnaive\tlatency.ack\t1\t0.1\t{"note":"a\\tb\\nc"}']]);
  });

  it('never blocks the producer; asks it to wait above the high-water mark', async () => {
    const engine = new FakeEngine(true);
    const sink = new BatchingSampleSink(engine, 'r1', { batchRows: 2, highWaterBatches: 2 });
    const answers = Array.from({ length: 6 }, (_, i) => sink.add(sample(i)));
    // 3 batches queued, none written: add() still returned synchronously each time.
    expect(answers).toEqual([true, true, true, false, false, false]);
    let drained = false;
    const waiting = sink.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    while (engine.batches.length < 3) {
      engine.release.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waiting;
    expect(drained).toBe(true);
    const stopping = sink.stop();
    await stopping;
    expect(engine.batches.flat()).toHaveLength(6);
  });

  it('surfaces the first write error on flush and stops taking samples', async () => {
    const engine = new FakeEngine(false, 1);
    const sink = new BatchingSampleSink(engine, 'r1', { batchRows: 1 });
    sink.add(sample(0));
    sink.add(sample(1));
    await expect(sink.flush()).rejects.toThrow('disk full');
    expect(sink.add(sample(2))).toBe(false);
    await expect(sink.stop()).rejects.toThrow('disk full');
    expect(engine.batches).toHaveLength(1);
  });

  it('writes a trickle on its timer', async () => {
    const engine = new FakeEngine();
    const sink = new BatchingSampleSink(engine, 'r1', { flushIntervalMs: 20 });
    sink.start();
    sink.add(sample(0));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(engine.batches).toHaveLength(1);
    await sink.stop();
  });

  it.each([
    [{ batchRows: 0 }, 'batchRows'],
    [{ batchRows: 1.5 }, 'batchRows'],
    [{ highWaterBatches: -1 }, 'highWaterBatches'],
    [{ flushIntervalMs: Number.NaN }, 'flushIntervalMs'],
  ])('rejects options %j, naming %s', (options, name) => {
    expect(() => validateSinkOptions(options)).toThrow(`sink option ${name} must be a positive integer`);
  });
});
