// `chatbench load <dir>`: stores a run kept on disk (results.json + samples.tsv), once however
// often it is loaded; what `chatbench run` suggests when the store was down.
import type { Command } from 'commander';
import { ResultsValidationError } from '../../analysis/results-schema.ts';
import { describeStore } from '../../analysis/store/index.ts';
import { loadRunDir, RunDirError } from '../../analysis/store/run-dir.ts';
import { RunRejectedError } from '../../analysis/store/sql-store.ts';
import { SamplesFileError } from '../../analysis/store/samples-file.ts';
import { CliError } from '../exit-codes.ts';
import { addStoreOptions, storeOptionsFrom, withStore, type StoreCliOptions } from '../store-options.ts';
import type { CommandRegistrar } from './index.ts';

interface LoadOptions extends StoreCliOptions {
  json?: boolean;
}

const register: CommandRegistrar = (program: Command) => {
  addStoreOptions(
    program
      .command('load')
      .description('store a run kept on disk (a directory with results.json and samples.tsv); loading it again changes nothing')
      .argument('<dir>', 'run directory, e.g. .chatbench/runs/<runId>')
      .option('--json', 'print the outcome as JSON only'),
  ).action(async (dir: string, options: LoadOptions) => {
    const storeOptions = storeOptionsFrom(options);
    const outcome = await withStore(storeOptions, async (store) => {
      try {
        return await loadRunDir(dir, store);
      } catch (error) {
        if (error instanceof RunDirError || error instanceof SamplesFileError || error instanceof ResultsValidationError || error instanceof RunRejectedError) {
          throw new CliError(error.message);
        }
        throw error;
      }
    });
    const where = describeStore(storeOptions);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...outcome, store: where })}\n`);
    } else if (outcome.stored) {
      process.stdout.write(`stored run ${outcome.runId} (${outcome.samples} samples) in ${where}\n`);
    } else {
      process.stdout.write(`run ${outcome.runId} already stored in ${where}; nothing changed\n`);
    }
  });
};
export default register;
