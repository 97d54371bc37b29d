// Ingestion throughput into the embedded store: 1M synthetic samples through saveRun (the batching
// sink, TSV inserts, then the stored-count check), samples per second, median of several runs.
// To add once `chatbench run` stores its runs: the overhead of storing on a default run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults, Sample } from '../analysis/results-schema.ts';
import { openStore } from '../analysis/store/index.ts';
// Type-only: importing run.ts for real from a bench file deadlocks (run.ts awaits this module
// at top level while it is the entry point); shared helpers live in ./stats.ts.
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';

export const name = 'ingest';

const SAMPLES = Number(process.env.CHATBENCH_BENCH_INGEST_SAMPLES ?? 1_000_000);
const TARGET_PER_SECOND = 300_000;
const METRICS = ['latency.ack', 'latency.delivery', 'latency.receipt', 'latency.sync'];

function* synthetic(count: number): Generator<Sample> {
  // Deterministic spread of values (no RNG): the insert path does not care what they are.
  for (let i = 0; i < count; i++) {
    yield { model: i % 2 ? 'naive' : 'watermark', metric: METRICS[i % 4]!, t_ms: i * 0.013, value_ms: ((i * 7919) % 100_000) / 1000, tags: '{}' };
  }
}

function results(runId: string): RunResults {
  const model = { actions: {}, latency: {}, db: { app_rows_written: 0, tuples_written: 0, wal_bytes: 0, consistent: true }, errors: {}, check: { ticks_consistent: true } };
  return { runId, scenario: 'bench', seed: 1, params: {}, driver: 'synthetic', startedAt: new Date().toISOString(), gitSha: '', models: { naive: model, watermark: model } };
}

export default async function ingest({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'chatbench-ingest-'));
  const store = await openStore({ dataDir: join(dir, 'store') });
  const rates: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const stored = await store.saveRun(results(`bench-${run}`), synthetic(SAMPLES));
      const seconds = (performance.now() - started) / 1000;
      if (!stored) throw new Error(`bench-${run} was not stored`);
      rates.push(SAMPLES / seconds);
      log(`run ${run + 1}: ${SAMPLES.toLocaleString('en-US')} samples in ${seconds.toFixed(2)} s`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      label: `chDB ingestion via saveRun (${SAMPLES.toLocaleString('en-US')} samples)`,
      value: Math.round(median(rates)),
      unit: 'samples/s',
      note: `target >= ${TARGET_PER_SECOND.toLocaleString('en-US')}/s`,
    },
  ];
}
