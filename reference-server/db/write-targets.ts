// Which tables a write statement writes to, read from its SQL: what lets the query layer count
// rows per table, so the database's own per-table counters can check every table separately.
// The parse is small on purpose: models write plain SQL, and a statement the parse cannot place
// fails loudly at its first run instead of being counted against the wrong table.

// INSERT INTO t, UPDATE t, DELETE FROM t; not the UPDATE of `ON CONFLICT ... DO UPDATE` or of a
// SELECT's `FOR UPDATE`, which write nothing of their own
const WRITE_TARGET = /\b(?:insert\s+into|(?<!\b(?:do|for|no\s+key)\s+)update|delete\s+from)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi;

const cache = new Map<string, string[]>();

/** The distinct tables a statement writes to, in order of appearance. */
export function writeTargets(sql: string): string[] {
  let tables = cache.get(sql);
  if (tables) return tables;
  const found = new Set<string>();
  for (const match of sql.matchAll(WRITE_TARGET)) found.add(match[1]!.toLowerCase());
  tables = [...found];
  // models use a bounded set of statement texts; an unbounded one (built per call) is not cached
  if (cache.size < 10_000) cache.set(sql, tables);
  return tables;
}
