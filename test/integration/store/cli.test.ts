// chatbench runs / query / load as a user runs them: a real process, a real chDB store.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, tempDir } from '../../support/store-fixtures.ts';

const run = promisify(execFile);
const BIN = resolve('bin/chatbench.mjs');

async function chatbench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', CHATBENCH_CLICKHOUSE_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Each CLI start loads tsx and every command: seconds apiece on a busy 2-core machine.
describe('chatbench load, runs, query', { timeout: 120_000 }, () => {
  const storeDir = join(tempDir('cli'), 'store');
  const fixture = resolve(FIXTURE_DIR);

  it('loads a run once, however often it is loaded', async () => {
    const first = await chatbench('load', fixture, '--store-dir', storeDir);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`stored run fixture-vacation-small (96 samples) in chdb ${storeDir}\n`);
    const again = await chatbench('load', fixture, '--store-dir', storeDir, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ runId: 'fixture-vacation-small', stored: false, alreadyStored: true, samples: 96, store: `chdb ${storeDir}` });
  });

  it('lists runs as a table and as JSON only', async () => {
    const table = await chatbench('runs', '--store-dir', storeDir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/fixture-vacation-small\s+2026-11-23 00:00:00Z\s+vacation-backlog\s+pairs=4 backlog=5\s+naive,watermark\s+000000000000\s+node/);
    const json = await chatbench('runs', '--json', '--store-dir', storeDir);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject([{ runId: 'fixture-vacation-small', models: ['naive', 'watermark'], driver: 'node' }]);
  });

  it('answers SQL as a table or JSON rows', async () => {
    const sql = "SELECT model, toUInt32(count()) AS n FROM samples WHERE metric = 'latency.receipt' GROUP BY model ORDER BY model";
    const json = await chatbench('query', sql, '--json', '--store-dir', storeDir);
    expect(JSON.parse(json.stdout)).toEqual([{ model: 'naive', n: 4 }, { model: 'watermark', n: 4 }]);
    const table = await chatbench('query', sql, '--store-dir', storeDir);
    expect(table.stdout).toBe(['model      n', '---------  -', 'naive      4', 'watermark  4', ''].join('\n'));
  });

  it('fails in one line on bad SQL, a bad dir or an unreachable server (exit 1)', async () => {
    const badSql = await chatbench('query', 'SELEC 1', '--store-dir', storeDir);
    expect(badSql.code).toBe(1);
    expect(badSql.stderr).toMatch(/^chatbench: .*Syntax error.*\n$/);
    const badDir = await chatbench('load', join(storeDir, 'nope'), '--store-dir', storeDir);
    expect(badDir).toMatchObject({ code: 1, stdout: '' });
    expect(badDir.stderr).toMatch(/^chatbench: .*nope\/results\.json: no such file.*\n$/);
    const down = await chatbench('runs', '--clickhouse-url', 'http://127.0.0.1:1');
    expect(down.code).toBe(1);
    expect(down.stderr).toBe('chatbench: ClickHouse at http://127.0.0.1:1 is unreachable: connect ECONNREFUSED 127.0.0.1:1\n');
  });

  it('rejects bad options with exit 2, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['runs', '--clickhouse-url', 'ftp://h'], /--clickhouse-url "ftp:\/\/h" must use http or https/],
      [['runs', '--limit', 'x', '--store-dir', storeDir], /--limit must be a positive integer/],
      [['query', 'SELECT 1 FORMAT CSV', '--store-dir', storeDir], /leave out the FORMAT clause/],
      [['load', fixture, '--clickhouse-url', 'http://h', '--store-dir', storeDir], /--store-dir applies to the embedded chDB store only/],
    ];
    for (const [args, message] of cases) {
      const result = await chatbench(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
