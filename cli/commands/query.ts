// `chatbench query "<SQL>"`: any SQL over the metrics store (tables runs, actions, samples),
// as an aligned table or, with --json, a JSON array of row objects. Read-only: the store is put
// in the engine's read-only mode before the SQL runs, so no statement can change it, however it
// is written (deleting runs is `chatbench store prune`).
import type { Command } from 'commander';
import { isReadOnlyRefusal } from '../../analysis/store/engine.ts';
import { CliError, EXIT, UsageError } from '../exit-codes.ts';
import { addStoreOptions, storeOptionsFrom, withStore, type StoreCliOptions } from '../store-options.ts';
import { renderRows } from '../text-table.ts';
import type { CommandRegistrar } from './index.ts';

interface QueryOptions extends StoreCliOptions {
  json?: boolean;
}

const register: CommandRegistrar = (program: Command) => {
  addStoreOptions(
    program
      .command('query')
      .description('run read-only SQL over the metrics store (tables: runs, actions, samples)')
      .argument('<sql>', 'one SQL statement, e.g. "SELECT model, count() FROM samples GROUP BY model"')
      .option('--json', 'print the rows as a JSON array only'),
  ).action(async (sql: string, options: QueryOptions) => {
    if (sql.trim().replace(/;+\s*$/, '') === '') throw new UsageError('the SQL argument is empty; e.g. chatbench query "SELECT * FROM runs"');
    if (/\bFORMAT\s+\w+\s*;?\s*$/i.test(sql)) {
      throw new UsageError('leave out the FORMAT clause: chatbench picks the format (a table, or JSON with --json)');
    }
    const rows = await withStore(storeOptionsFrom(options), async (store) => {
      await store.readOnly();
      return store.query(sql);
    }).catch((error: unknown) => {
      if (!isReadOnlyRefusal(error)) throw error;
      throw new CliError('query is read-only: the store refused a statement that would change it; to delete runs use chatbench store prune <run-id>... --yes', EXIT.usage);
    });
    process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : renderRows(rows));
  });
};
export default register;
