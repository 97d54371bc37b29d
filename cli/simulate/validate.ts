// `simulate validate`: calibrate on two sizes, predict a third, run it, compare. Counts of exact
// actions must match exactly, WAL within 10%, ack latency p50 (below saturation) within 25%.
import { randomBytes } from 'node:crypto';
import type { RunResults } from '../../analysis/results-schema.ts';
import { sendArrivals, simulatedAckP50 } from '../../analysis/simulation/ack-model.ts';
import { fitCalibration } from '../../analysis/simulation/fit.ts';
import { shapeRuns } from '../../analysis/simulation/fit-actions.ts';
import { measuredWal } from '../../analysis/simulation/fit-run.ts';
import { priceGroups } from '../../analysis/simulation/predict.ts';
import { SHAPES } from '../../analysis/simulation/shapes/index.ts';
import { compareActions, errorCheck, exactMismatches, VALIDATION_TOLERANCE, type Validation } from '../../analysis/simulation/validation.ts';
import type { OpenStoreOptions } from '../../analysis/store/index.ts';
import { connectPostgres } from '../../reference-server/db/postgres.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import type { Progress } from '../progress.ts';
import { runIsConsistent } from '../render-run.ts';
import { runScenario, validateRunOptions } from '../run-scenario.ts';
import { codeVersion, loadAverage, machine } from './provenance.ts';

export interface ValidateOptions {
  scenario: string;
  /** override the scenario's validation: key=a,b,c (calibrate on a and b, predict c) */
  vary?: { name: string; values: string[] };
  sets: string[];
  models?: string[];
  seed: number;
  pgUrl?: string;
  store: OpenStoreOptions | false;
  progress: Progress;
}

export const VALIDATE_DEFAULTS = { seed: 1 };

export async function validate(options: ValidateOptions): Promise<Validation> {
  const shapes = SHAPES[options.scenario];
  if (!shapes) throw new UsageError(`the simulator cannot validate ${options.scenario}; it knows: ${Object.keys(SHAPES).join(', ')}`);
  const spec = shapes.validation;
  if (options.vary && options.vary.values.length !== 3) throw new UsageError(`--vary ${options.vary.name}: give exactly three values: two to calibrate on, the third to predict`);
  const varied = options.vary ? options.vary.values.map((value) => ({ [options.vary!.name]: value })) : spec?.points;
  if (!varied) throw new UsageError(`${options.scenario} has no default validation: pass --vary key=a,b,c`);
  const base = [...Object.entries(spec?.base ?? {}).map(([key, value]) => `${key}=${value}`), ...options.sets];
  const points = varied.map((point) => [...base, ...Object.entries(point).map(([key, value]) => `${key}=${value}`)]);
  const only = (point: Record<string, unknown>) => Object.fromEntries(Object.entries(point).map(([key, value]) => [key, Number(value)]));
  for (const sets of points) validateRunOptions({ scenario: options.scenario, sets, seed: options.seed, models: options.models });
  const sweepId = `validation-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const before = loadAverage();
  const postgres = await connectPostgres(options.pgUrl);
  const runs: RunResults[] = [];
  try {
    for (const [index, sets] of points.entries()) {
      const label = `${options.scenario} ${Object.entries(varied[index]!).map(([key, value]) => `${key}=${value}`).join(' ')} (${index === 2 ? 'predicted, then measured' : 'calibration'})`;
      options.progress.update(label);
      const outcome = await runScenario({ scenario: options.scenario, sets, seed: options.seed, models: options.models, postgres, sweepId, store: options.store, progress: (line) => options.progress.update(`${label}: ${line}`) });
      if (!runIsConsistent(outcome.results)) throw new CliError(`validation run ${outcome.results.runId} (${label}) is inconsistent`);
      runs.push(outcome.results);
    }
  } finally {
    await postgres.stop();
  }
  const [a, b, measured] = runs as [RunResults, RunResults, RunResults];
  const calibration = fitCalibration([a, b], { ...codeVersion(), createdAt: '', command: 'validate', machine: machine(), loadAverage: { before, after: before } });
  const [shapedC] = shapeRuns([measured]);
  const figures = [];
  const wal: Validation['wal'] = {};
  const ackP50: Validation['ackP50'] = {};
  const definition = SCENARIOS[options.scenario]!;
  for (const model of Object.keys(measured.models)) {
    const priced = priceGroups(calibration, model, shapedC!.groups);
    figures.push(...compareActions(model, priced, measured.models[model]!));
    wal[model] = errorCheck(priced.walBytes, measuredWal(shapedC!, model), VALIDATION_TOLERANCE.walRelative);
    // the overhead the queues leave out, fitted on the two calibration runs only
    const fitted = calibration.models[model]!;
    const ack = (run: RunResults, statements: number) => {
      const plan = definition.plan(run.params as never, run.seed);
      return simulatedAckP50(fitted, sendArrivals(plan, statements, 1), options.seed);
    };
    const perSend = (run: RunResults) => {
      const send = run.models[model]!.actions.send;
      return send && send.count ? send['db.statements'] / send.count : 1;
    };
    // the smaller of the two: on a shared machine one run can queue behind other work, and
    // that is not a cost of the send
    const overheads = [a, b].map((run) => (run.models[model]!.latency['latency.ack']?.p50 ?? 0) - ack(run, perSend(run)));
    const overhead = Math.max(0, Math.min(...overheads));
    const predictedSend = priced.actions.send;
    const predicted = ack(measured, predictedSend && predictedSend.figures.count ? predictedSend.figures['db.statements'] / predictedSend.figures.count : 1) + overhead;
    ackP50[model] = errorCheck(predicted, measured.models[model]!.latency['latency.ack']?.p50 ?? 0, VALIDATION_TOLERANCE.ackP50Relative);
  }
  const mismatches = exactMismatches(figures).length;
  return {
    scenario: options.scenario,
    calibratedOn: [only(varied[0]!), only(varied[1]!)],
    predictedAt: only(varied[2]!),
    params: Object.fromEntries(Object.entries(measured.params).map(([key, value]) => [key, Number(value)])),
    seed: options.seed,
    runIds: { calibration: [a.runId, b.runId], measured: measured.runId },
    figures,
    exactMismatches: mismatches,
    wal,
    ackP50,
    ok: mismatches === 0 && Object.values(wal).every((check) => check.ok) && Object.values(ackP50).every((check) => check.ok),
    measuredAt: { ...codeVersion(), createdAt: new Date().toISOString(), machine: { cores: machine().cores, cpuModel: machine().cpuModel }, loadAverage: { before, after: loadAverage() } },
  };
}
