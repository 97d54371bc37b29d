// `chatbench report <runId>... [-o FILE]`: one self-contained HTML file for a design review.
import type { Command } from 'commander';
import { ResultsValidationError } from '../../analysis/results-schema.ts';
import { RunDirError } from '../../analysis/store/run-dir.ts';
import { SamplesFileError } from '../../analysis/store/samples-file.ts';
import { UnknownRunError } from '../../reports/load.ts';
import { writeReport } from '../../reports/write.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { addStoreOptions, asCliError as storeCliError, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import type { CommandRegistrar } from './index.ts';

export { writeReport };

interface ReportOptions extends StoreCliOptions {
  output?: string;
}

const register: CommandRegistrar = (program: Command) => {
  addStoreOptions(
    program
      .command('report')
      .description('write one self-contained HTML report (offline, printable) for one or more runs')
      .argument('<runId...>', 'stored run ids, or run directories (results.json + samples.tsv); several runs are compared against the first. At most one simulation: its stored id (sim-...) or a file from chatbench simulate --json')
      .option('-o, --output <file>', 'HTML file to write (default chatbench-report-<runId>.html)'),
  ).action(async (runIds: string[], options: ReportOptions) => {
    if (options.output !== undefined && options.output.trim() === '') throw new UsageError('--output must name a file');
    const storeOptions = storeOptionsFrom(options);
    try {
      const written = await writeReport(runIds, options.output, storeOptions);
      process.stdout.write(`wrote ${written.file} (${written.runIds.join(', ')})\n`);
    } catch (error) {
      throw asCliError(error);
    }
  });
};

function asCliError(error: unknown): unknown {
  if (error instanceof UnknownRunError) return new UsageError(error.message);
  if (error instanceof RunDirError || error instanceof ResultsValidationError || error instanceof SamplesFileError) return new CliError(error.message);
  return storeCliError(error);
}

export default register;
