// Opening the metrics store: embedded chDB by default, a ClickHouse server when a URL is given
// (option or CHATBENCH_CLICKHOUSE_URL). Backends are a registry so a third is one new entry.
import { join } from 'node:path';
import { openChdbEngine } from './chdb-engine.ts';
import { openClickhouseEngine } from './clickhouse-engine.ts';
import type { SqlEngine } from './engine.ts';
import type { SinkOptions } from './sink.ts';
import { createSqlStore } from './sql-store.ts';
import type { MetricsStore, StoreOptions } from './types.ts';

export const STORE_DEFAULTS = {
  dataDir: join('.chatbench', 'store'),
  lockTimeoutMs: 10_000,
} as const;

export const STORE_ENV = {
  clickhouseUrl: 'CHATBENCH_CLICKHOUSE_URL',
  dataDir: 'CHATBENCH_STORE_DIR',
} as const;

/** StoreOptions plus knobs only tests and benchmarks need. */
export interface OpenStoreOptions extends StoreOptions {
  /** how long to wait for another process to release a chDB directory */
  lockTimeoutMs?: number;
  sink?: SinkOptions;
}

export type ResolvedStoreOptions =
  | { kind: 'clickhouse'; clickhouseUrl: string; lockTimeoutMs: number; sink: SinkOptions }
  | { kind: 'chdb'; dataDir: string; lockTimeoutMs: number; sink: SinkOptions };

export type StoreKind = ResolvedStoreOptions['kind'];

export class StoreOptionError extends Error {
  override name = 'StoreOptionError';
}

export const ENGINES: Record<StoreKind, (options: ResolvedStoreOptions) => Promise<SqlEngine>> = {
  chdb: (options) => openChdbEngine(options.kind === 'chdb' ? options.dataDir : STORE_DEFAULTS.dataDir, { lockTimeoutMs: options.lockTimeoutMs }),
  clickhouse: (options) => {
    if (options.kind !== 'clickhouse') throw new StoreOptionError('the clickhouse store needs clickhouseUrl');
    return openClickhouseEngine(options.clickhouseUrl);
  },
};

/** Options beat environment beats defaults; every value is checked here, named when wrong. */
export function resolveStoreOptions(options: OpenStoreOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedStoreOptions {
  const lockTimeoutMs = options.lockTimeoutMs ?? STORE_DEFAULTS.lockTimeoutMs;
  if (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs < 0) {
    throw new StoreOptionError(`lockTimeoutMs must be a non-negative number of milliseconds, got ${lockTimeoutMs}`);
  }
  const sink = options.sink ?? {};
  const url = pick(options.clickhouseUrl, 'clickhouseUrl', env[STORE_ENV.clickhouseUrl], STORE_ENV.clickhouseUrl);
  const dir = pick(options.dataDir, 'dataDir', env[STORE_ENV.dataDir], STORE_ENV.dataDir);
  if (url && options.dataDir !== undefined) {
    throw new StoreOptionError(`dataDir applies to the embedded chDB store only; it cannot be combined with clickhouseUrl (${url.from})`);
  }
  if (url) {
    checkUrl(url.value, url.from);
    return { kind: 'clickhouse', clickhouseUrl: url.value, lockTimeoutMs, sink };
  }
  return { kind: 'chdb', dataDir: dir?.value ?? STORE_DEFAULTS.dataDir, lockTimeoutMs, sink };
}

export async function openStore(options: OpenStoreOptions = {}): Promise<MetricsStore> {
  const resolved = resolveStoreOptions(options);
  const engine = await ENGINES[resolved.kind](resolved);
  return createSqlStore(engine, resolved.sink);
}

/** Where a store lives, for messages ("stored in chdb .chatbench/store"). */
export function describeStore(options: OpenStoreOptions = {}): string {
  const resolved = resolveStoreOptions(options);
  return resolved.kind === 'chdb' ? `chdb ${resolved.dataDir}` : `clickhouse ${resolved.clickhouseUrl.replace(/\/\/[^@/]*@/, '//')}`;
}

function pick(option: string | undefined, optionName: string, fromEnv: string | undefined, envName: string): { value: string; from: string } | undefined {
  if (option !== undefined) {
    if (option.trim() === '') throw new StoreOptionError(`${optionName} must not be empty`);
    return { value: option, from: optionName };
  }
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, from: envName };
  return undefined;
}

function checkUrl(value: string, from: string): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new StoreOptionError(`${from} ${JSON.stringify(value)} is not a URL; expected e.g. http://127.0.0.1:8123`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StoreOptionError(`${from} ${JSON.stringify(value)} must use http or https (ClickHouse's HTTP interface), not ${parsed.protocol.replace(':', '')}`);
  }
}

export type { MetricsStore, StoreOptions, StoredRunSummary, StoredSimulationSummary } from './types.ts';
export { StoreQueryError, StoreUnavailableError } from './engine.ts';
export { StoreBusyError } from './lock.ts';
export { RunRejectedError } from './sql-store.ts';
