// `chatbench gate`: the CI verdict. Reads runs (from the store or run directories), checks them
// against a thresholds file and optionally a baseline, prints a table or JSON, writes JUnit XML
// and a Markdown summary, and exits 3 when anything fails or cannot be measured.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
  evaluateGate,
  GateInputError,
  loadGateFile,
  renderJunit,
  renderMarkdown,
  renderTable,
  ThresholdsError,
  workloadDifference,
  type GateFile,
  type GateReport,
} from '../../analysis/gates/index.ts';
import { findLatestBaseline, getStoredRun, isRunDir, readRunResults, RunNotFoundError } from '../../analysis/gates/sources.ts';
import { ResultsValidationError, type RunResults } from '../../analysis/results-schema.ts';
import { openStore, type MetricsStore, type OpenStoreOptions } from '../../analysis/store/index.ts';
import { CliError, EXIT, UsageError } from '../exit-codes.ts';
import { createProgress } from '../progress.ts';
import { runScenario } from '../run-scenario.ts';
import { addStoreOptions, asCliError, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import type { CommandRegistrar } from './index.ts';

export interface GateOptions extends StoreCliOptions {
  thresholds?: string;
  run?: string[];
  results?: string[];
  baseline?: string;
  junit?: string;
  summary?: string;
  json?: boolean;
  /** where a run the gate starts itself is written */
  out?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const register: CommandRegistrar = (program: Command) => {
  addStoreOptions(
    program
      .command('gate')
      .description('fail the build when a run breaks its thresholds or regresses against a baseline')
      .option('--thresholds <file>', 'thresholds file (.json, or .ts with a default export)')
      .option('--run <runId>', 'a stored run to gate (repeat for several runs of one workload)', collect)
      .option('--results <dir>', 'a run directory holding results.json (repeatable)', collect)
      .option('--baseline <runId|latest|dir>', 'compare against a stored run, the latest comparable one, or a run directory')
      .option('--junit <file>', 'write JUnit XML: one testsuite per model, one testcase per expression')
      .option('--summary <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
      .option('--json', 'print the gate report as JSON only')
      .option('--out <dir>', "run directory for the thresholds file's scenario when the gate runs it (default .chatbench/runs/<runId>)"),
  ).action(async (options: GateOptions) => {
    const report = await gate(options);
    if (!report.passed) {
      const { fail, unknown } = report.counts;
      throw new CliError(`gate failed: ${fail} failed, ${unknown} unknown`, EXIT.gateFailed);
    }
  });
};
export default register;

export async function gate(options: GateOptions): Promise<GateReport> {
  if (!options.thresholds) throw new UsageError('--thresholds <file> is required');
  const file = await loadThresholds(options.thresholds);
  const storeOptions = storeOptionsFrom(options);
  const store = new LazyStore(storeOptions);
  try {
    const runs = await collectRuns(options, file, store, storeOptions);
    checkAgainstFile(file, runs);
    const baseline = await resolveBaseline(options.baseline, runs, store);
    let report: GateReport;
    try {
      report = evaluateGate(runs, file.thresholds, baseline);
    } catch (error) {
      if (error instanceof GateInputError) throw new UsageError(error.message);
      throw error;
    }
    await writeOutputs(report, options);
    return report;
  } catch (error) {
    throw asCliError(error);
  } finally {
    await store.close();
  }
}

async function loadThresholds(path: string): Promise<GateFile> {
  try {
    return await loadGateFile(path);
  } catch (error) {
    if (error instanceof ThresholdsError) throw new UsageError(`--thresholds: ${error.message}`);
    throw error;
  }
}

async function collectRuns(options: GateOptions, file: GateFile, store: LazyStore, storeOptions: OpenStoreOptions): Promise<RunResults[]> {
  const runs: RunResults[] = [];
  for (const dir of options.results ?? []) runs.push(await fromDisk(dir, '--results'));
  for (const id of options.run ?? []) runs.push(await fromStore(store, id, '--run'));
  if (runs.length > 0) {
    if (options.out) throw new UsageError('--out applies only when the gate runs the scenario itself (no --run or --results)');
    return runs;
  }
  if (file.scenario) return [await runFromFile(file, options, storeOptions)];
  throw new UsageError(`nothing to gate: give --run <runId> or --results <dir>, or name a "scenario" in ${file.source}`);
}

/**
 * Runs what the thresholds file names (its scenario, params and seed, with every model it has
 * thresholds for, in the file's order), and stores it so a later gate can use it as its baseline.
 */
async function runFromFile(file: GateFile, options: GateOptions, storeOptions: OpenStoreOptions): Promise<RunResults> {
  const progress = createProgress({ json: options.json });
  const sets = Object.entries(file.params ?? {}).map(([key, value]) => `${key}=${value}`);
  try {
    const outcome = await runScenario({
      scenario: file.scenario!,
      sets,
      seed: file.seed,
      models: [...new Set(file.thresholds.map((threshold) => threshold.model))],
      outDir: options.out,
      store: storeOptions,
      progress: (line) => progress.update(line),
      note: (line) => progress.note(line),
    });
    // Not fatal: the run is on disk and gated all the same; `chatbench load` stores it later.
    if (outcome.stored?.error) process.stderr.write(`chatbench: ${outcome.stored.error}\n`);
    progress.note(`ran ${file.scenario}: ${outcome.results.runId} in ${outcome.dir}`);
    return outcome.results;
  } catch (error) {
    // The values came from the file, not from --set: say so.
    if (error instanceof UsageError) throw new UsageError(`${file.source}: ${error.message.replace(/^--set /, '')}`);
    throw error;
  } finally {
    progress.done();
  }
}

/** A file that says what to run must not pass judgement on a different workload. */
function checkAgainstFile(file: GateFile, runs: RunResults[]): void {
  for (const run of runs) {
    if (file.scenario && run.scenario !== file.scenario) {
      throw new UsageError(`run ${run.runId} is scenario ${run.scenario}, but ${file.source} is for ${file.scenario}`);
    }
    for (const [key, value] of Object.entries(file.params ?? {})) {
      if (run.params[key] !== value) {
        throw new UsageError(`run ${run.runId} has ${key}=${run.params[key] ?? '(unset)'}, but ${file.source} sets ${key}=${value}`);
      }
    }
  }
}

async function resolveBaseline(value: string | undefined, runs: RunResults[], store: LazyStore): Promise<RunResults[]> {
  if (value === undefined) return [];
  if (value === '') throw new UsageError('--baseline: expected a run id, "latest" or a run directory');
  let baseline: RunResults | undefined;
  if (value === 'latest') {
    baseline = await findLatestBaseline(await store.open(), runs);
    if (!baseline) {
      // Not an error: baseline expressions become unknown, which fails the gate with that reason.
      process.stderr.write('chatbench: --baseline latest: no stored run of this scenario and params on another git sha\n');
      return [];
    }
  } else if (await isRunDir(value)) {
    baseline = await fromDisk(value, '--baseline');
  } else {
    baseline = await fromStore(store, value, '--baseline');
  }
  const difference = workloadDifference(runs[0]!, baseline);
  if (difference) throw new UsageError(`--baseline ${value}: not the same workload as the gated runs (${difference})`);
  return [baseline];
}

async function fromDisk(path: string, option: string): Promise<RunResults> {
  try {
    return await readRunResults(path);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(`${option} ${error.message}`);
    if (error instanceof ResultsValidationError) throw new CliError(`${option}: ${error.message}`);
    throw error;
  }
}

async function fromStore(store: LazyStore, runId: string, option: string): Promise<RunResults> {
  try {
    return await getStoredRun(await store.open(), runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(`${option} ${runId}: ${error.message}`);
    throw error;
  }
}

async function writeOutputs(report: GateReport, options: GateOptions): Promise<void> {
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderTable(report));
  if (options.junit) await writeText(options.junit, renderJunit(report), '--junit');
  const markdown = renderMarkdown(report);
  if (options.summary) await writeText(options.summary, markdown, '--summary');
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    try {
      await appendFile(stepSummary, `${markdown}\n`);
    } catch (error) {
      throw new CliError(`GITHUB_STEP_SUMMARY ${stepSummary}: cannot append (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
  }
}

async function writeText(path: string, text: string, option: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw new CliError(`${option} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

/** Opens the metrics store only when a run or baseline is read from it: gating run directories needs no store. */
class LazyStore {
  private store?: Promise<MetricsStore>;
  constructor(private readonly options: OpenStoreOptions) {}

  open(): Promise<MetricsStore> {
    this.store ??= openStore(this.options);
    return this.store;
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store.catch(() => undefined))?.close();
  }
}
