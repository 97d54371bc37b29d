// Where gated runs come from: run directories on disk (results.json, validated like every other
// reader of results) and the metrics store (by id, or the latest comparable run as a baseline).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_FILE, parseResults, type RunResults } from '../results-schema.ts';
import type { MetricsStore, StoredRunSummary } from '../store/types.ts';
import { workloadDifference } from './evaluate.ts';

/** The path or id the user gave does not lead to a run. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
}

/** A run directory (holding results.json) or a results.json file itself. */
export async function readRunResults(path: string): Promise<RunResults> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, RESULTS_FILE);
  } catch {
    throw new RunNotFoundError(`${path}: no such file or directory`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RunNotFoundError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RunNotFoundError(`${file}: not JSON (${error instanceof Error ? error.message : error})`);
  }
  return parseResults(data, file);
}

export async function isRunDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory() || path.endsWith('.json');
  } catch {
    return false;
  }
}

export async function getStoredRun(store: MetricsStore, runId: string): Promise<RunResults> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(`run ${runId} is not in the metrics store (${store.kind})`);
  return run;
}

/**
 * The most recent stored run of the same scenario and params made on another git sha: what the
 * code looked like before this change. Undefined when there is none (a first run, a new scenario).
 */
export async function findLatestBaseline(store: MetricsStore, runs: readonly RunResults[]): Promise<RunResults | undefined> {
  const first = runs[0];
  if (!first) return undefined;
  const shas = new Set(runs.map((r) => r.gitSha));
  // Params are compared here: the store keeps them as a JSON document, not as columns.
  const candidates = (await store.listRuns({ scenario: first.scenario }))
    .filter((summary) => !shas.has(summary.gitSha) && sameParams(summary, first))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const latest = candidates[0];
  return latest ? getStoredRun(store, latest.runId) : undefined;
}

function sameParams(summary: StoredRunSummary, run: RunResults): boolean {
  return workloadDifference(run, { ...run, scenario: summary.scenario, params: summary.params }) === undefined;
}
