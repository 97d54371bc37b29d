// From run ids (or run directories) to an HTML file: the entry point `chatbench report`,
// `run --report` and `sweep --report` share.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepCurve, SweepError } from '../analysis/queries/index.ts';
import { RESULTS_FILE } from '../analysis/results-schema.ts';
import { openStore } from '../analysis/store/index.ts';
import { assertRunId } from '../analysis/store/sql.ts';
import type { MetricsStore, StoreOptions } from '../analysis/store/types.ts';
import { isSimulation, type Simulation } from '../analysis/simulation/simulation.ts';
import { renderReport } from './build.ts';
import { loadRunDir, loadRunFromStore, sweepFromRuns, UnknownRunError } from './load.ts';
import type { ReportInput, RunReportData, SweepData } from './types.ts';

export function defaultReportFile(runIds: readonly string[]): string {
  const [first, ...rest] = runIds;
  const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');
  return `chatbench-report-${safe(first ?? 'empty')}${rest.length > 0 ? `-plus-${rest.length}` : ''}.html`;
}

const SIMULATION_ID = /^sim-[0-9a-f]{16}$/;

/** A simulation saved as JSON (`chatbench simulate --json > file`), else undefined. */
async function readSimulationFile(path: string): Promise<Simulation | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    const data: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isSimulation(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

async function isRunDir(path: string): Promise<boolean> {
  try {
    return (await stat(join(path, RESULTS_FILE))).isFile();
  } catch {
    return false;
  }
}

export interface WriteReportResult {
  file: string;
  runIds: string[];
  bytes: number;
}

/**
 * Each argument is a stored run id or a run directory on disk (results.json + samples.tsv), so a
 * run kept on disk while the store was down can still be reported. The store is opened only when
 * some argument is not a directory.
 */
export async function loadReportInput(args: readonly string[], storeOptions: StoreOptions = {}, openStoreFn: (o: StoreOptions) => Promise<MetricsStore> = openStore): Promise<ReportInput> {
  if (args.length === 0) throw new RangeError('name at least one run id');
  const sources = await Promise.all(args.map(async (arg) => ({ arg, dir: await isRunDir(arg), simulationFile: await readSimulationFile(arg) })));
  for (const { arg, dir, simulationFile } of sources) if (!dir && !simulationFile) assertRunId(arg);
  if (sources.filter(({ arg, simulationFile }) => simulationFile || SIMULATION_ID.test(arg)).length > 1) throw new RangeError('a report shows one simulation: name at most one');
  let store: MetricsStore | undefined;
  let simulation: Simulation | undefined;
  try {
    const runs: RunReportData[] = [];
    const missing: string[] = [];
    for (const { arg, dir, simulationFile } of sources) {
      if (dir) {
        runs.push(await loadRunDir(arg));
        continue;
      }
      if (simulationFile) {
        simulation = simulationFile;
        continue;
      }
      store ??= await openStoreFn(storeOptions);
      if (SIMULATION_ID.test(arg)) {
        const stored = await store.getSimulation(arg);
        if (stored && isSimulation(stored)) simulation = stored;
        else missing.push(arg);
        continue;
      }
      const run = await loadRunFromStore(store, arg);
      if (run) runs.push(run);
      else missing.push(arg);
    }
    if (missing.length > 0 && store) {
      throw new UnknownRunError(missing, (await store.listRuns({ limit: 20 })).map((r) => r.runId));
    }
    return { runs, sweep: await findSweep(runs, store), ...(simulation ? { simulation } : {}) };
  } finally {
    await store?.close();
  }
}

/** The sweep the first run belongs to: the store's cost-curve query, else the given runs of it. */
async function findSweep(runs: readonly RunReportData[], store: MetricsStore | undefined): Promise<SweepData | undefined> {
  const sweepId = runs[0]?.results.sweepId;
  if (!sweepId) return undefined;
  if (store) {
    try {
      const curve = await sweepCurve(store, sweepId);
      return new Set(curve.points.map((p) => p.runId)).size >= 2 ? curve : undefined;
    } catch (error) {
      // a sweep without a single varied parameter has no curve to draw; the runs still report
      if (error instanceof SweepError) return undefined;
      throw error;
    }
  }
  return sweepFromRuns(sweepId, runs.map((r) => r.results).filter((r) => r.sweepId === sweepId));
}

export async function writeReport(runIds: readonly string[], file: string | undefined, storeOptions: StoreOptions = {}): Promise<WriteReportResult> {
  const input = await loadReportInput(runIds, storeOptions);
  input.generatedAt = new Date().toISOString();
  if (!input.simulation) {
    const { defaultSimulation } = await import('./default-simulation.ts');
    const fallback = await defaultSimulation(input.runs.flatMap((run) => Object.keys(run.results.models)));
    if (fallback.simulation) input.simulation = fallback.simulation;
    else input.simulationMissing = fallback.missing;
  }
  const html = await renderReport(input);
  const ids = [...input.runs.map((r) => r.results.runId), ...(input.runs.length === 0 && input.simulation ? [input.simulation.simulationId] : [])];
  const target = file ?? defaultReportFile(ids);
  await writeFile(target, html);
  return { file: target, runIds: ids, bytes: Buffer.byteLength(html) };
}

/** A simulation on its own: the "At 500M daily users (simulated)" section as a whole report. */
export async function writeSimulationReport(simulation: Simulation, file: string | undefined): Promise<WriteReportResult> {
  const html = await renderReport({ runs: [], simulation, generatedAt: new Date().toISOString() });
  const target = file ?? defaultReportFile([simulation.simulationId]);
  await writeFile(target, html);
  return { file: target, runIds: [simulation.simulationId], bytes: Buffer.byteLength(html) };
}
