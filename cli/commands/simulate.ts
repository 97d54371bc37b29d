// `chatbench simulate`: what each storage model costs at internet scale, from costs fitted to
// measured runs. Subcommands predict (a scenario run, without running it), calibrate (the
// measured runs and the fit) and validate (the simulator against a run it has not seen). Heavy
// modules load only on the paths that run something: predict reads a JSON file and prices.
import type { Command } from 'commander';
import { CalibrationError } from '../../analysis/simulation/calibration.ts';
import { UncalibratedModelError } from '../../analysis/simulation/predict.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { parseModels } from '../options.ts';
import { createProgress } from '../progress.ts';
import { loadCalibration, writeCalibration, CALIBRATION_FILES } from '../simulate/calibration-file.ts';
import { modelsOption, scenarioParams, seedOption, uncalibrated } from '../simulate/inputs.ts';
import { addStoreOptions, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import type { CommandRegistrar } from './index.ts';

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
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function warnUncalibrated(models: string[]): void {
  if (models.length) process.stderr.write(`chatbench: not calibrated, left out: ${models.join(', ')} (run chatbench simulate calibrate)\n`);
}

const register: CommandRegistrar = (program: Command) => {
  // options after a subcommand belong to it (simulate and predict both take --json)
  program.enablePositionalOptions();
  const simulate = program
    .command('simulate')
    .description('what each storage model costs at internet scale, from costs fitted to measured runs')
    .enablePositionalOptions();

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
      .option('--from-store <id>', 'fit runs already stored instead of running: a calibration id or run ids (repeatable)', collect)
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
      calibration = await calibrateModule.calibrateFromStore(options.fromStore, storeOptionsFrom(options), command);
    } else {
      const models = options.models === undefined ? undefined : modelsOption(options.models);
      const scenarios = options.scenarios?.split(',').map((id) => id.trim()).filter(Boolean);
      const outcome = await calibrateModule.calibrate({
        scenarios,
        models,
        seed: seedOption(options.seed),
        pgUrl: options.pgUrl ?? process.env.CHATBENCH_PG_URL,
        store: options.store ? storeOptionsFrom(options) : false,
        command,
        progress,
      });
      progress.done();
      calibration = outcome.calibration;
      for (const error of outcome.storeErrors) process.stderr.write(`chatbench: ${error}\n`);
      if (!options.json) process.stdout.write(`calibration runs stored as ${outcome.calibrationId}\n`);
    }
    await writeCalibration(out, calibration);
    if (options.json) process.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
    else {
      const { renderCalibration } = await import('../simulate/render.ts');
      process.stdout.write(renderCalibration(calibration, out));
    }
    if (calibration.errors.length) throw new CliError(`the calibration has ${calibration.errors.length} fit errors (above): exact counts did not fit exactly, so its predictions must not be trusted`);
  });
};

export function asSimulateError(error: unknown): unknown {
  if (error instanceof UncalibratedModelError || error instanceof CalibrationError) return new CliError(error.message);
  return error;
}

export default register;
