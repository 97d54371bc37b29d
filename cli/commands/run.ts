import type { Command } from 'commander';
import { renderRun, runIsConsistent } from '../render-run.ts';
import { addRunOptions, runOptionsFrom, type RunCliOptions } from '../options.ts';
import { addStoreOptions, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import { createProgress } from '../progress.ts';
import { runScenario } from '../run-scenario.ts';
import { CliError, EXIT } from '../exit-codes.ts';

export default function register(program: Command): void {
  addStoreOptions(
    addRunOptions(
      program
        .command('run')
        .argument('<scenario>', 'scenario id (see chatbench list)')
        .description('run a scenario against every model and print them side by side'),
    ),
  ).action(async (scenario: string, options: RunCliOptions & StoreCliOptions) => {
    const progress = createProgress({ json: options.json });
    const outcome = await runScenario({
      ...runOptionsFrom(scenario, options),
      outDir: options.out,
      progress: (line) => progress.update(line),
      note: (line) => progress.note(line),
    });
    progress.done();
    const { results, dir, stored } = outcome;
    if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      process.stdout.write(renderRun(results));
      process.stdout.write(`\nrun ${results.runId}\nresults: ${dir}\n`);
    }
    if (stored?.error) process.stderr.write(`chatbench: ${stored.error}\n  the run is kept in ${dir}; store it later with: chatbench load ${dir}\n`);
    else if (stored && !options.json) process.stdout.write(`stored in the metrics store${stored.alreadyStored ? ' (already there)' : ''}\n`);
    if (options.report && stored && !stored.error) {
      const { writeReport } = await import('../../reports/write.ts');
      const written = await writeReport([results.runId], typeof options.report === 'string' ? options.report : undefined, storeOptionsFrom(options));
      if (!options.json) process.stdout.write(`report: ${written.file}\n`);
    }
    if (!runIsConsistent(results)) throw new CliError('the run is inconsistent (see the checks above); its figures are kept but must not be trusted', EXIT.failure);
  });
}
