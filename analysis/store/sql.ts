// SQL text helpers shared by the store and the comparison queries. Run ids and names reach SQL
// from the command line, so every value is validated at the boundary AND escaped when quoted.
// Only constructs accepted by both chDB and ClickHouse 18.16 belong here.

/** Run ids: what `chatbench run` generates and what a file system and a URL tolerate. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class InvalidIdentifierError extends Error {
  override name = 'InvalidIdentifierError';
}

export function assertRunId(value: unknown, what = 'run id'): string {
  if (typeof value !== 'string' || !RUN_ID.test(value)) {
    throw new InvalidIdentifierError(
      `${what} ${JSON.stringify(value)} is not valid: use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

/** A ClickHouse string literal: backslash and quote escaped, so any text is safe to embed. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0')}'`;
}

/** Column values as ClickHouse's TabSeparated format expects them. */
export function tsvEscape(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (ch) => TSV_ESCAPES[ch]!);
}

const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const TSV_UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', "'": "'", b: '\b', f: '\f' };

export function tsvUnescape(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (whole, ch: string) => TSV_UNESCAPES[ch] ?? whole);
}

/** Trailing semicolons are harmless to a person and fatal to the HTTP interface: drop them. */
export function trimStatement(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '').trim();
}

/**
 * ClickHouse 18.16 returns 64-bit integers as JSON strings, chDB as numbers: every typed row goes
 * through this so both look the same to reports and gates.
 */
export function toNumber(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n) && value !== 'nan') throw new TypeError(`${what}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}
