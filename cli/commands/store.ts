// `chatbench store prune <run-id>... --yes`: the one way to delete runs from the metrics store
// (`query` is read-only). Without --yes it lists what it would delete and refuses.
import type { Command } from 'commander';
import { CliError, EXIT, UsageError } from '../exit-codes.ts';
import { addStoreOptions, storeOptionsFrom, withStore, type StoreCliOptions } from '../store-options.ts';
import type { CommandRegistrar } from './index.ts';

interface PruneOptions extends StoreCliOptions {
  yes?: boolean;
}

const register: CommandRegistrar = (program: Command) => {
  const store = program.command('store').description('maintain the metrics store');
  addStoreOptions(
    store
      .command('prune')
      .description('delete runs (their figures and samples) from the metrics store')
      .argument('<run-id...>', 'the runs to delete (see chatbench runs)')
      .option('--yes', 'really delete them (without it, nothing is deleted)'),
  ).action(async (runIds: string[], options: PruneOptions) => {
    await withStore(storeOptionsFrom(options), async (metrics) => {
      const stored: string[] = [];
      for (const runId of runIds) if (await metrics.hasRun(runId)) stored.push(runId);
      const absent = runIds.filter((runId) => !stored.includes(runId));
      if (absent.length) throw new CliError(`store prune: no such run in the store: ${absent.join(', ')} (see chatbench runs)`, EXIT.usage);
      if (!options.yes) throw new UsageError(`store prune: refusing to delete ${stored.length} run(s) (${stored.join(', ')}) without --yes`);
      const deleted = await metrics.deleteRuns(stored);
      process.stdout.write(`deleted ${deleted.length} run(s): ${deleted.join(', ')}\n`);
    });
  });
};
export default register;
