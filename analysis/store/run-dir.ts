// A run directory (results.json + samples.tsv) is the run's durable form: `chatbench run` writes
// it first, then stores it; when the store is down the directory stays and `chatbench load` stores
// it later. Reading validates everything before a single row is written.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseResults, RESULTS_FILE, SAMPLES_FILE, type RunResults, type Sample } from '../results-schema.ts';
import { firstLine } from './engine.ts';
import { describeStore, openStore, type OpenStoreOptions } from './index.ts';
import { readSamplesFile, SamplesFileError, writeSamplesFile } from './samples-file.ts';
import type { MetricsStore } from './types.ts';

export const RUNS_DIR = join('.chatbench', 'runs');

/** Where `chatbench run` keeps a run unless told otherwise. */
export function defaultRunDir(runId: string): string {
  return join(RUNS_DIR, runId);
}

export class RunDirError extends Error {
  override name = 'RunDirError';
}

export interface RunDir {
  dir: string;
  results: RunResults;
  /** Re-readable: each iteration streams samples.tsv again (validated), so memory stays flat. */
  samples: AsyncIterable<Sample>;
  /** samples per model, then per metric, as counted in samples.tsv */
  sampleCounts: Record<string, Record<string, number>>;
}

/** Writes samples.tsv then results.json, each via a temporary name: a complete results.json means a complete dir. */
export async function writeRunDir(dir: string, results: RunResults, samples: AsyncIterable<Sample> | Iterable<Sample>): Promise<void> {
  parseResults(results, `results for ${dir}`);
  await mkdir(dir, { recursive: true });
  const samplesPath = join(dir, SAMPLES_FILE);
  await writeSamplesFile(`${samplesPath}.partial`, samples);
  await rename(`${samplesPath}.partial`, samplesPath);
  const resultsPath = join(dir, RESULTS_FILE);
  await writeFile(`${resultsPath}.partial`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${resultsPath}.partial`, resultsPath);
}

export async function readRunDir(dir: string): Promise<RunDir> {
  const resultsPath = join(dir, RESULTS_FILE);
  let text: string;
  try {
    text = await readFile(resultsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RunDirError(code === 'ENOENT' ? `${resultsPath}: no such file (is ${dir} a run directory?)` : `${resultsPath}: ${firstLine(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RunDirError(`${resultsPath}: not valid JSON: ${firstLine(error)}`);
  }
  parseResults(raw, resultsPath);
  // The document as written, extra fields included ("extra fields are welcome"): the store keeps it whole.
  const results = raw as RunResults;

  const samplesPath = join(dir, SAMPLES_FILE);
  const sampleCounts: Record<string, Record<string, number>> = {};
  for await (const sample of readSamplesFile(samplesPath)) {
    if (!(sample.model in results.models)) {
      throw new SamplesFileError(
        `${samplesPath}: a sample names model ${JSON.stringify(sample.model)}, which ${RESULTS_FILE} does not have (${Object.keys(results.models).join(', ')})`,
      );
    }
    const byMetric = (sampleCounts[sample.model] ??= {});
    byMetric[sample.metric] = (byMetric[sample.metric] ?? 0) + 1;
  }
  for (const [model, result] of Object.entries(results.models)) {
    for (const [metric, expected] of Object.entries(result.samples ?? {})) {
      const got = sampleCounts[model]?.[metric] ?? 0;
      if (got !== expected) {
        throw new SamplesFileError(`${samplesPath}: holds ${got} ${model} ${metric} samples but ${resultsPath} says ${expected} were recorded`);
      }
    }
  }
  return { dir, results, samples: { [Symbol.asyncIterator]: () => readSamplesFile(samplesPath) }, sampleCounts };
}

export interface LoadOutcome {
  runId: string;
  stored: boolean;
  alreadyStored: boolean;
  samples: number;
}

/** Stores a validated run dir in an open store; throws on any failure. */
export async function loadRunDir(dir: string, store: MetricsStore): Promise<LoadOutcome> {
  const run = await readRunDir(dir);
  const samples = Object.values(run.sampleCounts).reduce((sum, byMetric) => sum + Object.values(byMetric).reduce((a, b) => a + b, 0), 0);
  const stored = await store.saveRun(run.results, run.samples);
  return { runId: run.results.runId, stored, alreadyStored: !stored, samples };
}

/**
 * What `chatbench run` calls after writing the dir. Never throws: a store that is down or a
 * failed write comes back as `error`, the files stay, and the user can `chatbench load` later.
 */
export async function persistRun(
  dir: string,
  storeOptions: OpenStoreOptions = {},
): Promise<{ stored: boolean; alreadyStored: boolean; error?: string }> {
  let store: MetricsStore | undefined;
  try {
    store = await openStore(storeOptions);
    const outcome = await loadRunDir(dir, store);
    return { stored: outcome.stored, alreadyStored: outcome.alreadyStored };
  } catch (error) {
    let where = 'the metrics store';
    try {
      where = describeStore(storeOptions);
    } catch {
      // bad options: the error itself says so
    }
    return { stored: false, alreadyStored: false, error: `could not store ${dir} in ${where}: ${firstLine(error)}` };
  } finally {
    await store?.close().catch(() => undefined);
  }
}
