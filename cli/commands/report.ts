// `chatbench report <runId>... [-o FILE]`: one self-contained HTML file for a design review.
import type { Command } from 'commander';
import { ResultsValidationError } from '../../analysis/results-schema.ts';
import { StoreOptionError } from '../../analysis/store/index.ts';
import { InvalidIdentifierError } from '../../analysis/store/sql.ts';
import { RunDirError } from '../../analysis/store/run-dir.ts';
import { UnknownRunError } from '../../reports/load.ts';
import { writeReport } from '../../reports/write.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import type { CommandRegistrar } from './index.ts';

export { writeReport };

interface ReportOptions {
  output?: string;
  clickhouseUrl?: string;
  storeDir?: string;
}

const register: CommandRegistrar = (program: Command) => {
  program
    .command('report')
    .description('write one self-contained HTML report (offline, printable) for one or more runs')
    .argument('<runId...>', 'stored run ids, or run directories (results.json + samples.tsv); several runs are compared against the first')
    .option('-o, --output <file>', 'HTML file to write (default chatbench-report-<runId>.html)')
    .option('--clickhouse-url <url>', 'metrics store on a ClickHouse server (default: embedded chDB)')
    .option('--store-dir <dir>', 'embedded metrics store directory (default .chatbench/store)')
    .action(async (runIds: string[], options: ReportOptions) => {
      if (options.output !== undefined && options.output.trim() === '') throw new UsageError('--output must name a file');
      if (options.clickhouseUrl !== undefined && options.storeDir !== undefined) {
        throw new UsageError('--store-dir applies to the embedded store only; it cannot be combined with --clickhouse-url');
      }
      try {
        const written = await writeReport(runIds, options.output, { clickhouseUrl: options.clickhouseUrl, dataDir: options.storeDir });
        process.stdout.write(`wrote ${written.file} (${written.runIds.join(', ')})\n`);
      } catch (error) {
        throw asCliError(error);
      }
    });
};

function asCliError(error: unknown): unknown {
  if (error instanceof UnknownRunError || error instanceof InvalidIdentifierError) return new UsageError(error.message);
  if (error instanceof RunDirError || error instanceof ResultsValidationError) return new CliError(error.message);
  if (error instanceof StoreOptionError) return new UsageError(error.message);
  return error;
}

export default register;
