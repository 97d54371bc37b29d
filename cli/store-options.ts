// The metrics-store options every store-reading command shares (--clickhouse-url, --store-dir),
// and the mapping of store failures to exit codes: bad options are usage errors (2), a store
// that is down, busy or refuses SQL is a one-line failure (1).
import { openStore, resolveStoreOptions, StoreOptionError, type MetricsStore, type OpenStoreOptions } from '../analysis/store/index.ts';
import { StoreQueryError, StoreUnavailableError, firstLine } from '../analysis/store/engine.ts';
import { StoreBusyError } from '../analysis/store/lock.ts';
import { InvalidIdentifierError } from '../analysis/store/sql.ts';
import { CliError, UsageError } from './exit-codes.ts';
import type { StoreCliOptions } from './store-flags.ts';

export { addStoreOptions, type StoreCliOptions } from './store-flags.ts';

/** Validated store options; a bad value is a UsageError naming the flag (or variable). */
export function storeOptionsFrom(options: StoreCliOptions): OpenStoreOptions {
  const open: OpenStoreOptions = { clickhouseUrl: options.clickhouseUrl, dataDir: options.storeDir };
  try {
    resolveStoreOptions(open);
  } catch (error) {
    if (error instanceof StoreOptionError) {
      throw new UsageError(error.message.replace(/\bclickhouseUrl\b/g, '--clickhouse-url').replace(/\bdataDir\b/g, '--store-dir'));
    }
    throw error;
  }
  return open;
}

/** Store and validation failures become one-line CliErrors; anything else stays a crash. */
export function asCliError(error: unknown): unknown {
  if (error instanceof InvalidIdentifierError) return new UsageError(error.message);
  if (error instanceof StoreUnavailableError || error instanceof StoreQueryError || error instanceof StoreBusyError) {
    return new CliError(firstLine(error));
  }
  return error;
}

/** Opens the store, runs `work`, always closes; store failures become one-line errors. */
export async function withStore<T>(options: OpenStoreOptions, work: (store: MetricsStore) => Promise<T>): Promise<T> {
  let store: MetricsStore | undefined;
  try {
    store = await openStore(options);
    return await work(store);
  } catch (error) {
    throw asCliError(error);
  } finally {
    await store?.close();
  }
}
