// `chatbench simulate`: what each storage model costs at internet scale, from costs fitted to
// measured runs. Subcommands predict (a scenario run, without running it), calibrate (the
// measured runs and the fit) and validate (the simulator against a run it has not seen). Heavy
// modules load only on the paths that run something: predict reads a JSON file and prices.
import type { Command } from 'commander';
import { CalibrationError } from '../../analysis/simulation/calibration.ts';
import { UncalibratedModelError } from '../../analysis/simulation/predict.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { createProgress } from '../progress.ts';
import { loadCalibration, writeCalibration, CALIBRATION_FILES } from '../simulate/calibration-file.ts';
import { modelsOption, parseModels, scenarioParams, seedOption, uncalibrated } from '../simulate/inputs.ts';
import { addStoreOptions, type StoreCliOptions } from '../store-flags.ts';
import type { CommandRegistrar } from './index.ts';

interface SimulateOptions extends StoreCliOptions {
  workload?: string;
  models?: string;
  baseline?: string;
  seed?: string;
  calibration?: string;
  dbNodeCapacity?: string;
  json?: boolean;
  store: boolean;
  report?: string | boolean;
}

interface ValidateCliOptions extends StoreCliOptions {
  vary?: string;
  set: string[];
  models?: string;
  seed?: string;
  pgUrl?: string;
  store: boolean;
  json?: boolean;
  attach?: string;
}

/** Store options, validated by the store module, loaded only by the paths that store. */
async function storeOptionsFrom(options: StoreCliOptions) {
  return (await import('../store-options.ts')).storeOptionsFrom(options);
}

function capacityOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--db-node-capacity ${raw}: expected statements per second, a number greater than 0`);
  return value;
}

interface PredictOptions {
  set: string[];
  models?: string;
  seed?: string;
  calibration?: string;
  json?: boolean;
}

interface CalibrateCliOptions extends StoreCliOptions {
  out?: string;
  scenarios?: string;
  models?: string;
  seed?: string;
  pgUrl?: string;
  store: boolean;
  fromStore?: string[];
  validate: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function warnUncalibrated(models: string[]): void {
  if (models.length) process.stderr.write(`chatbench: not calibrated, left out: ${models.join(', ')} (run chatbench simulate calibrate)\n`);
}

const register: CommandRegistrar = (program: Command) => {
  // options after a subcommand belong to it (simulate and predict both take --json)
  program.enablePositionalOptions();
  const simulate = addStoreOptions(
    program
      .command('simulate')
      .description('what each storage model costs at internet scale, from costs fitted to measured runs')
      .enablePositionalOptions()
      .option('--workload <file>', 'workload mix (.ts with export default defineWorkload({...}), or .json); default workloads/whatsapp-500m.ts')
      .option('--models <ids>', 'comma-separated models (default: the workload\'s, else every calibrated model)')
      .option('--baseline <id>', 'model the others are compared with (default: the workload\'s, else the first)')
      .option('--seed <n>', 'seed of the discrete-event layer', '1')
      .option('--calibration <file>', `calibration to price with (default ${CALIBRATION_FILES.local}, else the shipped one)`)
      .option('--db-node-capacity <statements/s>', 'statements per second one database node serves (default: measured per model in calibration)')
      .option('--json', 'print the simulation as JSON')
      .option('--no-store', 'do not store the simulation in the metrics store')
      .option('--report [file]', 'also write an HTML report of the simulation'),
  ).action(async (options: SimulateOptions) => {
    // everything is validated before anything is computed or stored
    const seed = seedOption(options.seed);
    const capacity = capacityOption(options.dbNodeCapacity);
    const store = options.store ? await storeOptionsFrom(options) : false;
    if (options.report !== undefined && typeof options.report === 'string' && options.report.trim() === '') throw new UsageError('--report must name a file');
    parseModels(options.models);
    const { loadWorkload } = await import('../simulate/workload-file.ts');
    const { workload, source } = await loadWorkload(options.workload);
    const { calibration, file } = loadCalibration(options.calibration);
    const models = options.models !== undefined || !workload.models ? modelsOption(options.models, calibration) : modelsOption(workload.models.join(','), calibration);
    const baseline = options.baseline ?? workload.baseline ?? models[0]!;
    if (!models.includes(baseline)) throw new UsageError(`--baseline ${baseline}: not among the simulated models (${models.join(', ')})`);
    if (options.models === undefined && !workload.models) warnUncalibrated(uncalibrated(calibration));
    const { simulateWorkload } = await import('../../analysis/simulation/simulation.ts');
    const simulation = simulateWorkload({ workload, workloadSource: source, calibration, calibrationFile: file, models, baseline, seed, options: capacity === undefined ? {} : { dbNodeCapacity: capacity } });
    if (options.json) process.stdout.write(`${JSON.stringify(simulation, null, 2)}\n`);
    else {
      const { renderSimulation } = await import('../simulate/render.ts');
      process.stdout.write(renderSimulation(simulation));
    }
    let storeError: string | undefined;
    if (store) {
      const { withStore } = await import('../store-options.ts');
      try {
        const saved = await withStore(store, (opened) => opened.saveSimulation(simulation));
        if (!options.json) process.stdout.write(`stored in the metrics store${saved ? '' : ' (already there)'}\n`);
      } catch (error) {
        storeError = error instanceof Error ? error.message : String(error);
        process.stderr.write(`chatbench: the simulation was not stored: ${storeError}\n`);
      }
    }
    if (options.report !== undefined) {
      const { writeSimulationReport } = await import('../../reports/write.ts');
      const written = await writeSimulationReport(simulation, typeof options.report === 'string' ? options.report : undefined);
      if (!options.json) process.stdout.write(`report: ${written.file}\n`);
    }
    if (storeError) throw new CliError('the simulation was printed but not stored (see above)');
  });

  simulate
    .command('predict')
    .description("a scenario run's per-action figures from the calibration alone: nothing runs, no database starts")
    .argument('<scenario>', 'scenario id (see chatbench list)')
    .option('--set <key=value>', 'set a scenario parameter (repeatable)', collect, [])
    .option('--models <ids>', 'comma-separated models (default: every calibrated model)')
    .option('--seed <n>', 'seed of the plan', '1')
    .option('--calibration <file>', `calibration to price with (default ${CALIBRATION_FILES.local}, else the shipped one)`)
    .option('--json', 'print the prediction as JSON (models.<id>.actions as in results.json)')
    .action(async (scenario: string, options: PredictOptions) => {
      const params = scenarioParams(scenario, options.set);
      const seed = seedOption(options.seed);
      parseModels(options.models);
      const { calibration, file } = loadCalibration(options.calibration);
      const models = modelsOption(options.models, calibration);
      if (options.models === undefined) warnUncalibrated(uncalibrated(calibration));
      const { predictScenario } = await import('../../analysis/simulation/prediction.ts');
      const prediction = predictScenario({ calibration, file, scenario, params, seed, models });
      if (options.json) process.stdout.write(`${JSON.stringify(prediction, null, 2)}\n`);
      else {
        const { renderPrediction } = await import('../simulate/render.ts');
        process.stdout.write(renderPrediction(prediction));
      }
    });

  addStoreOptions(
    simulate
      .command('calibrate')
      .description('run the calibration sweeps of every scenario for every model (minutes), store them, and fit each model\'s costs')
      .option('--out <file>', 'where to write the calibration', CALIBRATION_FILES.local)
      .option('--scenarios <ids>', 'only these scenarios\' calibration points (comma-separated)')
      .option('--models <ids>', 'comma-separated models (default: every registered model)')
      .option('--seed <n>', 'seed of every calibration run', '1')
      .option('--pg-url <url>', 'use this Postgres server (env CHATBENCH_PG_URL; default: embedded)')
      .option('--no-store', 'do not store the calibration runs in the metrics store')
      .option('--from-store <id>', 'fit runs already stored instead of running: a calibration id or run ids (repeatable)', collect, [])
      .option('--no-validate', 'skip the validation run that is recorded with the calibration (simulate validate)')
      .option('--json', 'print the calibration JSON too'),
  ).action(async (options: CalibrateCliOptions) => {
    if (options.out !== undefined && options.out.trim() === '') throw new UsageError('--out must name a file');
    const out = options.out ?? CALIBRATION_FILES.local;
    const command = `chatbench simulate calibrate ${process.argv.slice(4).join(' ')}`.trim();
    const progress = createProgress({ json: options.json });
    let calibration;
    const calibrateModule = await import('../simulate/calibrate.ts');
    if (options.fromStore?.length) {
      if (options.scenarios !== undefined || options.models !== undefined) throw new UsageError('--from-store fits the stored runs as they are: it takes no --scenarios or --models');
      calibration = await calibrateModule.calibrateFromStore(options.fromStore, await storeOptionsFrom(options), command);
    } else {
      const models = options.models === undefined ? undefined : modelsOption(options.models);
      const scenarios = options.scenarios?.split(',').map((id) => id.trim()).filter(Boolean);
      const outcome = await calibrateModule.calibrate({
        scenarios,
        models,
        seed: seedOption(options.seed),
        pgUrl: options.pgUrl ?? process.env.CHATBENCH_PG_URL,
        store: options.store ? await storeOptionsFrom(options) : false,
        command,
        progress,
      });
      calibration = outcome.calibration;
      for (const error of outcome.storeErrors) process.stderr.write(`chatbench: ${error}\n`);
      if (!options.json) process.stdout.write(`calibration runs ${options.store ? 'stored' : 'made'} as ${outcome.calibrationId}\n`);
      if (options.validate) {
        // every calibration carries the simulator's error against a run it was not fitted on
        const { validate } = await import('../simulate/validate.ts');
        calibration.validation = await validate({ scenario: 'vacation-backlog', sets: [], models, seed: seedOption(options.seed), pgUrl: options.pgUrl ?? process.env.CHATBENCH_PG_URL, store: options.store ? await storeOptionsFrom(options) : false, progress });
      }
      progress.done();
    }
    await writeCalibration(out, calibration);
    if (options.json) process.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
    else {
      const { renderCalibration, renderValidationSummary } = await import('../simulate/render.ts');
      process.stdout.write(renderCalibration(calibration, out));
      if (calibration.validation) process.stdout.write(`${renderValidationSummary(calibration.validation)}\n`);
    }
    if (calibration.errors.length) throw new CliError(`the calibration has ${calibration.errors.length} fit errors (above): exact counts did not fit exactly, so its predictions must not be trusted`);
  });

  addStoreOptions(
    simulate
      .command('validate')
      .description('calibrate on two runs, predict a third, run it and print predicted against measured (a minute or two)')
      .argument('[scenario]', 'scenario to validate on', 'vacation-backlog')
      .option('--vary <key=a,b,c>', 'calibrate on a and b, predict and run c (default: the scenario\'s validation points)')
      .option('--set <key=value>', 'set a scenario parameter for all three runs (repeatable)', collect, [])
      .option('--models <ids>', 'comma-separated models (default: every registered model)')
      .option('--seed <n>', 'seed of the three runs', '1')
      .option('--pg-url <url>', 'use this Postgres server (env CHATBENCH_PG_URL; default: embedded)')
      .option('--no-store', 'do not store the three runs in the metrics store')
      .option('--attach <calibration>', 'record the result in this calibration file, so simulations made with it carry it')
      .option('--json', 'print the validation as JSON'),
  ).action(async (scenario: string, options: ValidateCliOptions) => {
    const seed = seedOption(options.seed);
    const models = options.models === undefined ? undefined : modelsOption(options.models);
    const attach = options.attach === undefined ? undefined : loadCalibration(options.attach);
    let vary: { name: string; values: string[] } | undefined;
    if (options.vary !== undefined) {
      const { parseVary } = await import('./sweep.ts');
      vary = parseVary(scenario, options.vary);
    }
    const progress = createProgress({ json: options.json });
    const { validate } = await import('../simulate/validate.ts');
    const validation = await validate({ scenario, vary, sets: options.set, models, seed, pgUrl: options.pgUrl ?? process.env.CHATBENCH_PG_URL, store: options.store ? await storeOptionsFrom(options) : false, progress });
    progress.done();
    const { renderValidation } = await import('../simulate/render.ts');
    if (options.json) process.stdout.write(`${JSON.stringify(validation, null, 2)}\n`);
    else process.stdout.write(renderValidation(validation));
    if (attach) {
      await writeCalibration(attach.file, { ...attach.calibration, validation });
      if (!options.json) process.stdout.write(`recorded in ${attach.file}\n`);
    }
    if (!validation.ok) throw new CliError('the simulator is off by more than its tolerance (above)');
  });
};

export function asSimulateError(error: unknown): unknown {
  if (error instanceof UncalibratedModelError || error instanceof CalibrationError) return new CliError(error.message);
  return error;
}

export default register;
