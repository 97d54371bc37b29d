// Pure pieces of the measurement: the one quantile definition, where a statement writes, and the
// per-table comparison.
import { describe, expect, it } from 'vitest';
import { summariseByMetric, summariseSamples } from '../../analysis/quantiles.ts';
import { LatencyRecorder } from '../../drivers/recorder.ts';
import { compareTables } from '../../reference-server/db/truth.ts';
import { writeTargets } from '../../reference-server/db/write-targets.ts';

describe('summariseSamples', () => {
  it('reports measured samples, not histogram buckets: p99, min and max are samples', () => {
    // values an HDR histogram with 3 significant digits would round up to its bucket tops
    // (1131.020 -> 1131.519): the summary must give the sample itself
    const recorder = new LatencyRecorder('m', 0);
    const values = [1131.0204, 2.0016, 987.6544, 13.3331, 5000.0009];
    for (const value of values) recorder.record('latency.ack', value, undefined, 1);
    const { samples } = recorder.export();
    expect(samples.map((sample) => sample.value_ms)).toEqual([1131.02, 2.002, 987.654, 13.333, 5000.001]);
    expect(summariseByMetric(samples)['latency.ack']).toEqual({ count: 5, min: 2.002, mean: 1426.802, p50: 987.654, p95: 5000.001, p99: 5000.001, max: 5000.001 });
  });

  it('uses nearest rank: the value at rank ceil(q/100 n)', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    const summary = summariseSamples(values);
    expect(summary).toMatchObject({ count: 200, min: 1, p50: 100, p95: 190, p99: 198, max: 200 });
    expect(summariseSamples([7])).toMatchObject({ p50: 7, p99: 7, min: 7, max: 7 });
    expect(() => summariseSamples([])).toThrow(/no samples/);
  });
});

describe('writeTargets', () => {
  it.each([
    ['INSERT INTO messages (a) VALUES ($1)', ['messages']],
    ['UPDATE messages SET status = $3 WHERE conversation_id = $1', ['messages']],
    ['delete from "receipts" where true', ['receipts']],
    ['INSERT INTO message_status AS ms (user_id) SELECT 1 ON CONFLICT (user_id) DO UPDATE SET x = 1 RETURNING 1', ['message_status']],
    ['SELECT * FROM conversations WHERE id = $1 FOR UPDATE', []],
    ['SELECT * FROM conversations FOR NO KEY UPDATE', []],
    ['WITH next AS (UPDATE conversations SET last_seq = last_seq + 1 RETURNING last_seq), stored AS (INSERT INTO messages SELECT 1 FROM next) SELECT 1', ['conversations', 'messages']],
    ['UPDATE ONLY users SET name = $1', ['users']],
  ])('%s', (sql, tables) => {
    expect(writeTargets(sql)).toEqual(tables);
  });
});

describe('compareTables', () => {
  const truth = {
    tuplesWritten: 12,
    tables: {
      messages: { ins: 5, upd: 5, del: 0, bytes: 0, rows: 5 },
      conversations: { ins: 1, upd: 1, del: 0, bytes: 0, rows: 1 },
    },
  };
  it('agrees table by table', () => {
    expect(compareTables({ messages: 10, conversations: 2 }, truth)).toEqual([]);
  });
  it('catches errors that cancel out in the total', () => {
    const mismatches = compareTables({ messages: 11, conversations: 1 }, truth);
    expect(mismatches).toEqual([
      'conversations: the query layer counted 1 rows written, Postgres 2 tuples (1 ins, 1 upd, 0 del)',
      'messages: the query layer counted 11 rows written, Postgres 10 tuples (5 ins, 5 upd, 0 del)',
    ]);
  });
  it('names a table Postgres does not have', () => {
    expect(compareTables({ messages: 10, conversations: 2, ghost: 1 }, truth)).toEqual(['ghost: the query layer counted 1 rows written, Postgres 0 tuples (no such table)']);
  });
});

describe('the query layer', () => {
  const pool = { query: async () => ({ rows: [{ written_conversations: '1', written_messages: '1' }], rowCount: 1 }) } as never;
  it('refuses a write() whose statement writes to two tables, before running it', async () => {
    const { CountingDb } = await import('../../reference-server/db/query-layer.ts');
    const db = new CountingDb(pool).for('send');
    await expect(db.write('WITH a AS (UPDATE conversations SET last_seq = 1) INSERT INTO messages SELECT 1')).rejects.toThrow(
      /writes to conversations, messages; use writeReported\(\) with a written_<table> column per table/,
    );
    await expect(db.write('SELECT 1')).rejects.toThrow(/no INSERT INTO, UPDATE or DELETE FROM table found/);
  });
  it('counts a reported statement per table', async () => {
    const { CountingDb } = await import('../../reference-server/db/query-layer.ts');
    const counting = new CountingDb(pool);
    await counting.for('send').writeReported('WITH a AS (UPDATE conversations SET last_seq = 1) INSERT INTO messages SELECT 1');
    expect(counting.snapshot().send).toEqual({ statements: 1, rowsWritten: 2, rowsRead: 0, transactions: 0, tables: { conversations: 1, messages: 1 }, timeMs: expect.any(Number) });
  });
});

describe('Postgres version', () => {
  it('refuses a server older than 15 at connect, naming it', async () => {
    const { requireSupportedVersion } = await import('../../reference-server/db/postgres.ts');
    expect(() => requireSupportedVersion(140011, '14.11', 'postgres://u:secret@db/x')).toThrow(
      'Postgres 14.11 at postgres://u:***@db/x is too old: chatbench needs Postgres 15 or newer',
    );
    expect(() => requireSupportedVersion(150002, '15.2', 'postgres://db/x')).not.toThrow();
  });
});
