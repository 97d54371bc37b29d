// `simulate calibrate`: runs every scenario's calibration points for every model on one
// Postgres, stores the runs (one id for the set, so they can be refitted from the store), and
// fits the calibration. Or refits runs already stored.
import { randomBytes } from 'node:crypto';
import type { RunResults } from '../../analysis/results-schema.ts';
import { fitCalibration } from '../../analysis/simulation/fit.ts';
import type { Calibration } from '../../analysis/simulation/calibration.ts';
import { SHAPES } from '../../analysis/simulation/shapes/index.ts';
import type { OpenStoreOptions } from '../../analysis/store/index.ts';
import { connectPostgres } from '../../reference-server/db/postgres.ts';
import { modelIds } from '../../reference-server/models/registry.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import type { Progress } from '../progress.ts';
import { runIsConsistent } from '../render-run.ts';
import { runScenario, validateRunOptions } from '../run-scenario.ts';
import { withStore } from '../store-options.ts';
import { codeVersion, loadAverage, machine } from './provenance.ts';

export interface CalibrateOptions {
  scenarios?: string[];
  models?: string[];
  seed: number;
  pgUrl?: string;
  store: OpenStoreOptions | false;
  command: string;
  progress: Progress;
}

export interface CalibrateOutcome {
  calibration: Calibration;
  runs: RunResults[];
  calibrationId: string;
  storeErrors: string[];
}

export function calibrationPoints(scenarios: string[] | undefined): Array<{ scenario: string; sets: string[] }> {
  const ids = scenarios ?? Object.keys(SHAPES);
  for (const id of ids) if (!SHAPES[id]) throw new UsageError(`--scenarios: no calibration for "${id}"; valid: ${Object.keys(SHAPES).join(', ')}`);
  return ids.flatMap((scenario) => SHAPES[scenario]!.calibration.map((point) => ({ scenario, sets: Object.entries(point).map(([key, value]) => `${key}=${value}`) })));
}

export async function calibrate(options: CalibrateOptions): Promise<CalibrateOutcome> {
  const models = options.models ?? modelIds();
  const points = calibrationPoints(options.scenarios);
  // every point is checked before any runs, so a bad option costs nothing
  for (const point of points) validateRunOptions({ scenario: point.scenario, sets: point.sets, seed: options.seed, models });
  const calibrationId = `calibration-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  // the code that runs is the code at the start: later edits to the checkout measure nothing
  const code = codeVersion();
  const before = loadAverage();
  const postgres = await connectPostgres(options.pgUrl);
  const runs: RunResults[] = [];
  const storeErrors: string[] = [];
  try {
    for (const [index, point] of points.entries()) {
      const label = `${point.scenario} ${point.sets.join(' ')} (${index + 1}/${points.length})`;
      options.progress.update(label);
      const outcome = await runScenario({
        scenario: point.scenario,
        sets: point.sets,
        seed: options.seed,
        models,
        postgres,
        sweepId: calibrationId,
        store: options.store,
        progress: (line) => options.progress.update(`${label}: ${line}`),
      });
      if (!runIsConsistent(outcome.results)) throw new CliError(`calibration run ${outcome.results.runId} (${label}) is inconsistent; its figures cannot calibrate anything`);
      if (outcome.stored?.error) storeErrors.push(`${outcome.stored.error} (chatbench load ${outcome.dir})`);
      runs.push(outcome.results);
    }
  } finally {
    await postgres.stop();
  }
  const calibration = fitCalibration(runs, {
    ...code,
    createdAt: new Date().toISOString(),
    command: options.command,
    machine: machine(),
    loadAverage: { before, after: loadAverage() },
    postgresVersion: runs[0]?.postgresVersion,
  });
  return { calibration, runs, calibrationId, storeErrors };
}

/** Refits the runs a calibration stored (by its id) or any stored runs (by run id). */
export async function calibrateFromStore(ids: string[], store: OpenStoreOptions, command: string): Promise<Calibration> {
  const runs = await withStore(store, async (opened) => {
    const all = await opened.listRuns();
    const selected = all.filter((run) => ids.includes(run.runId) || (run.sweepId !== undefined && ids.includes(run.sweepId)));
    const missing = ids.filter((id) => !selected.some((run) => run.runId === id || run.sweepId === id));
    if (missing.length) throw new UsageError(`--from-store: no stored run or calibration ${missing.join(', ')} (chatbench runs lists them)`);
    return Promise.all(selected.map(async (run) => (await opened.getRun(run.runId))!));
  });
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
  const unknown = runs.filter((run) => !SHAPES[run.scenario]);
  if (unknown.length) throw new UsageError(`--from-store: run ${unknown[0]!.runId} is a ${unknown[0]!.scenario} run, which the simulator cannot calibrate from`);
  // the runs' own provenance, not this process's: they may come from another checkout or machine
  const shas = [...new Set(runs.map((run) => run.gitSha))];
  return fitCalibration(runs, {
    gitSha: shas.join(','),
    dirty: false,
    createdAt: new Date().toISOString(),
    command,
    machine: runs[0]?.machine ?? machine(),
    loadAverage: { before: -1, after: -1 },
    postgresVersion: runs[0]?.postgresVersion,
  });
}
