// The narrow SQL surface each backend (chDB in-process, a ClickHouse server over HTTP) provides.
// Everything else the store does (schema, saving runs once, listing) is written once on top of it
// in sql-store.ts, so both backends behave the same by construction.

export interface SqlEngine {
  /** 'chdb' or 'clickhouse' */
  readonly kind: string;
  /** Where the data lives, for messages: a directory or a URL. */
  readonly location: string;
  /** A statement that returns no rows (DDL, ALTER ... DELETE). */
  exec(sql: string): Promise<void>;
  /** A statement that returns rows, as parsed JSONEachRow objects. */
  select<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /** Inserts rows given as TabSeparated text (no header), one `\n`-terminated line per row. */
  insertTsv(table: string, columns: readonly string[], tsv: Buffer): Promise<void>;
  /**
   * Inserts rows given as RowBinary of `structure` ("name Type, ..."), where the engine reads it
   * faster than text (chDB); an engine without it gets TabSeparated.
   */
  insertRowBinary?(table: string, structure: string, payload: Buffer): Promise<void>;
  /**
   * From now on refuse every statement that writes, with the engine's own read-only setting
   * (ClickHouse `readonly=1`), so user SQL cannot change the store however it is written.
   */
  readOnly(): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be reached or opened; the message says which and why, in one line. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** A statement the engine refused (bad SQL, unknown table, ...): the engine's message, one line. */
export class StoreQueryError extends Error {
  override name = 'StoreQueryError';
}

/** The engine refused a statement because the session is read-only (ClickHouse error 164, READONLY). */
export function isReadOnlyRefusal(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /\bCode: 164\b|\(READONLY\)|in readonly mode/.test(text);
}

/** Engines' messages span lines (stack traces, hints); users and logs get the first one. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? text;
}
