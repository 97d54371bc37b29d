// A ClickHouse server over HTTP (@clickhouse/client). Works with servers as old as Debian's 18.16,
// which is why nothing here relies on settings or formats newer than that.
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { firstLine, StoreQueryError, StoreUnavailableError, type SqlEngine } from './engine.ts';

export const CLICKHOUSE_DEFAULTS = { requestTimeoutMs: 30_000, pingTimeoutMs: 5_000 } as const;

export async function openClickhouseEngine(url: string): Promise<SqlEngine> {
  const client = createClient({
    url,
    request_timeout: CLICKHOUSE_DEFAULTS.requestTimeoutMs,
    // The client logs every failed request to the console; we report errors ourselves, once.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const shown = redact(url);
  const ping = await Promise.race([
    client.ping(),
    new Promise<{ success: false; error: Error }>((resolve) =>
      setTimeout(() => resolve({ success: false, error: new Error(`no answer in ${CLICKHOUSE_DEFAULTS.pingTimeoutMs} ms`) }), CLICKHOUSE_DEFAULTS.pingTimeoutMs).unref(),
    ),
  ]);
  if (!ping.success) {
    await client.close();
    throw new StoreUnavailableError(`ClickHouse at ${shown} is unreachable: ${describe(ping.error)}`);
  }
  return new ClickhouseEngine(client, shown);
}

class ClickhouseEngine implements SqlEngine {
  readonly kind = 'clickhouse';
  /** per-request settings: HTTP has no session, so read-only goes with every request */
  private settings: { readonly?: '1' } = {};

  constructor(
    private readonly client: ClickHouseClient,
    readonly location: string,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.run(() => this.client.command({ query: sql, clickhouse_settings: this.settings }));
  }

  async select<Row>(sql: string): Promise<Row[]> {
    return this.run(async () => {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: this.settings });
      return result.json<Row>();
    });
  }

  async insertTsv(table: string, columns: readonly string[], tsv: Buffer): Promise<void> {
    if (tsv.length === 0) return;
    await this.run(() =>
      this.client.insert({ table, columns: [...columns] as [string, ...string[]], values: Readable.from([tsv], { objectMode: false }), format: 'TabSeparated', clickhouse_settings: this.settings }),
    );
  }

  async readOnly(): Promise<void> {
    this.settings = { readonly: '1' };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isConnectionError(error)) throw new StoreUnavailableError(`ClickHouse at ${this.location} is unreachable: ${describe(error)}`);
      throw new StoreQueryError(firstLine(error));
    }
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/.test(code);
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = firstLine(error);
  return code && !message.includes(code) ? `${code} ${message}` : message || String(code ?? 'unknown error');
}

/** Never print a password that came in a URL. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
