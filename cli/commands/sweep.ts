import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { RunResults } from '../../analysis/results-schema.ts';
import { ACTION_KINDS } from '../../analysis/metric-names.ts';
import { SCENARIOS, scenarioIds } from '../../scenarios/registry.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { addRunOptions, runOptionsFrom, type RunCliOptions } from '../options.ts';
import { createProgress } from '../progress.ts';
import { runIsConsistent } from '../render-run.ts';
import { runScenario } from '../run-scenario.ts';
import { addStoreOptions, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import { renderRows } from '../text-table.ts';
import { join } from 'node:path';

export function parseVary(scenario: string, raw: string | undefined): { name: string; values: string[] } {
  const definition = SCENARIOS[scenario];
  if (!definition) throw new UsageError(`unknown scenario "${scenario}"; valid scenarios: ${scenarioIds().join(', ')}`);
  const match = raw ? /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(raw) : null;
  if (!match) throw new UsageError(`--vary: expected key=v1,v2,... (parameters of ${scenario}: ${Object.keys(definition.params).join(', ')})`);
  const [, name, list] = match as unknown as [string, string, string];
  if (!definition.params[name]) throw new UsageError(`--vary ${name}: unknown parameter of ${scenario}; valid parameters: ${Object.keys(definition.params).join(', ')}`);
  const values = list.split(',').map((value) => value.trim());
  if (values.length < 2 || values.some((value) => value === '')) throw new UsageError(`--vary ${name}: give at least two comma-separated values`);
  return { name, values };
}

/** How each model's per-action cost grows with the varied parameter. */
export function renderSweep(name: string, runs: RunResults[]): string {
  const rows: Record<string, unknown>[] = [];
  for (const results of runs) {
    for (const kind of ACTION_KINDS) {
      const models = Object.entries(results.models).filter(([, model]) => model.actions[kind]?.count);
      if (!models.length || kind === 'connect') continue;
      const row: Record<string, unknown> = { [name]: results.params[name], action: kind };
      for (const [model, result] of models) {
        const figures = result.actions[kind]!;
        row[`${model} rows/act`] = Number((figures['db.rows_written'] / figures.count).toFixed(2));
        row[`${model} events/act`] = Number((figures['ws.events_pushed'] / figures.count).toFixed(2));
      }
      rows.push(row);
    }
  }
  return renderRows(rows);
}

export default function register(program: Command): void {
  addStoreOptions(
    addRunOptions(
      program
        .command('sweep')
        .argument('<scenario>', 'scenario id (see chatbench list)')
        .requiredOption('--vary <key=v1,v2,...>', 'the parameter to vary and its values')
        .description('run a scenario once per value of one parameter and show how each model\'s cost grows'),
    ),
  ).action(async (scenario: string, options: RunCliOptions & StoreCliOptions & { vary: string }) => {
    const { name, values } = parseVary(scenario, options.vary);
    const sweepId = `sweep-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const progress = createProgress({ json: options.json });
    const runs: RunResults[] = [];
    const base = { ...runOptionsFrom(scenario, options), sweepId };
    // validate every point before running any, so a bad value costs nothing
    const { validateRunOptions } = await import('../run-scenario.ts');
    for (const value of values) validateRunOptions({ ...base, sets: [...options.set, `${name}=${value}`] });
    const storeErrors: string[] = [];
    const { connectPostgres } = await import('../../reference-server/db/postgres.ts');
    const postgres = await connectPostgres(base.pgUrl);
    try {
    for (const [index, value] of values.entries()) {
      progress.note(`${name}=${value} (${index + 1}/${values.length})`);
      const outcome = await runScenario({
        ...base,
        sets: [...options.set, `${name}=${value}`],
        postgres,
        outDir: options.out ? join(options.out, `${name}-${value}`) : undefined,
        progress: (line) => progress.update(`${name}=${value}: ${line}`),
      });
      runs.push(outcome.results);
      if (outcome.stored?.error) storeErrors.push(`${outcome.stored.error} (chatbench load ${outcome.dir})`);
    }
    } finally {
      await postgres.stop();
    }
    progress.done();
    if (options.json) process.stdout.write(`${JSON.stringify({ sweepId, vary: name, runs }, null, 2)}\n`);
    else process.stdout.write(`${renderSweep(name, runs)}\nsweep ${sweepId}: runs ${runs.map((run) => run.runId).join(' ')}\n`);
    for (const error of storeErrors) process.stderr.write(`chatbench: ${error}\n`);
    if (options.report && !storeErrors.length) {
      const { writeReport } = await import('../../reports/write.ts');
      const written = await writeReport(runs.map((run) => run.runId), typeof options.report === 'string' ? options.report : undefined, storeOptionsFrom(options));
      if (!options.json) process.stdout.write(`report: ${written.file}\n`);
    }
    if (!runs.every(runIsConsistent)) throw new CliError('a run of the sweep is inconsistent; its figures must not be trusted');
  });
}
