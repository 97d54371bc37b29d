// The metrics-store flags, apart from the store itself: a command can offer them without loading
// a store library until it opens one (simulate predict must load none).
import type { Command } from 'commander';

export interface StoreCliOptions {
  clickhouseUrl?: string;
  storeDir?: string;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--clickhouse-url <url>', 'metrics store on a ClickHouse server, e.g. http://127.0.0.1:8123 (env CHATBENCH_CLICKHOUSE_URL; default: embedded chDB)')
    .option('--store-dir <dir>', 'embedded chDB store directory (env CHATBENCH_STORE_DIR; default .chatbench/store)');
}
