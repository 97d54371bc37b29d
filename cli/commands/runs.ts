// `chatbench runs`: the runs in the metrics store, newest first.
import type { Command } from 'commander';
import type { StoredRunSummary } from '../../analysis/store/types.ts';
import { UsageError } from '../exit-codes.ts';
import { addStoreOptions, storeOptionsFrom, withStore, type StoreCliOptions } from '../store-options.ts';
import { renderRows } from '../text-table.ts';
import type { CommandRegistrar } from './index.ts';

interface RunsOptions extends StoreCliOptions {
  json?: boolean;
  scenario?: string;
  limit?: string;
}

const register: CommandRegistrar = (program: Command) => {
  addStoreOptions(
    program
      .command('runs')
      .description('list the runs in the metrics store, newest first')
      .option('--scenario <name>', 'only runs of this scenario')
      .option('--limit <n>', 'at most this many runs')
      .option('--json', 'print the runs as a JSON array only'),
  ).action(async (options: RunsOptions) => {
    const limit = parseLimit(options.limit);
    const storeOptions = storeOptionsFrom(options);
    const runs = await withStore(storeOptions, (store) => store.listRuns({ scenario: options.scenario, limit }));
    process.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : renderRuns(runs));
  });
};
export default register;

export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(limit) || limit <= 0) {
    throw new UsageError(`--limit must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return limit;
}

export function renderRuns(runs: readonly StoredRunSummary[]): string {
  if (runs.length === 0) return 'no runs stored yet: run a scenario (chatbench run <scenario>) or load one (chatbench load <dir>)\n';
  return renderRows(
    runs.map((run) => ({
      id: run.runId,
      time: run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      scenario: run.scenario,
      params: Object.entries(run.params).map(([key, value]) => `${key}=${value}`).join(' '),
      models: run.models.join(','),
      git: run.gitSha.slice(0, 12),
      driver: run.driver,
      seed: run.seed,
      sweep: run.sweepId ?? '',
    })),
  );
}
