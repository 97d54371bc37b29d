// `chatbench query` cannot change the store, on either backend: statements that would are refused
// by the engine's read-only setting with one line and a non-zero exit, and the store still works.
// Deleting runs is `chatbench store prune ... --yes`; a table that went missing is recreated.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdbEngine } from '../../../analysis/store/chdb-engine.ts';
import { openClickhouseEngine } from '../../../analysis/store/clickhouse-engine.ts';
import type { SqlEngine } from '../../../analysis/store/engine.ts';
import { startClickhouseServer, type ClickhouseServer } from '../../support/clickhouse-server.ts';
import { FIXTURE_DIR, tempDir } from '../../support/store-fixtures.ts';

const execute = promisify(execFile);
const BIN = resolve('bin/chatbench.mjs');
const RUN_ID = 'fixture-vacation-small';

async function chatbench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', CHATBENCH_CLICKHOUSE_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

interface Backend {
  flags: string[];
  /** the engine underneath, to break the store the way a user with other tools could */
  engine(): Promise<SqlEngine>;
  teardown(): Promise<void>;
}

const BACKENDS: Record<string, () => Promise<Backend>> = {
  chdb: async () => {
    const dir = join(tempDir('readonly'), 'store');
    return { flags: ['--store-dir', dir], engine: () => openChdbEngine(dir), teardown: async () => {} };
  },
  clickhouse: async () => {
    const server: ClickhouseServer = await startClickhouseServer();
    return { flags: ['--clickhouse-url', server.url], engine: () => openClickhouseEngine(server.url), teardown: () => server.remove() };
  },
};

const WRITES = ['DROP TABLE runs', 'ALTER TABLE samples DELETE WHERE 1', "INSERT INTO runs (run_id) VALUES ('forged')", 'SELECT 1; DROP TABLE actions', 'TRUNCATE TABLE samples', 'CREATE TABLE x (a UInt8) ENGINE = Memory'];

for (const [kind, setup] of Object.entries(BACKENDS)) {
  describe(`${kind}: query is read-only`, { timeout: 180_000 }, () => {
    let backend: Backend;
    const sampleCount = async () => JSON.parse((await chatbench('query', 'SELECT toUInt32(count()) AS n FROM samples', '--json', ...backend.flags)).stdout)[0].n;

    beforeAll(async () => {
      backend = await setup();
      const load = await chatbench('load', resolve(FIXTURE_DIR), ...backend.flags);
      expect(load.code, load.stderr).toBe(0);
    });
    afterAll(() => backend?.teardown());

    it('refuses every statement that would change the store, with one line, and the store still works', async () => {
      for (const sql of WRITES) {
        const result = await chatbench('query', sql, ...backend.flags);
        expect(result.code, `${sql}: ${result.stdout}`).not.toBe(0);
        expect(result.stderr.trim().split('\n'), sql).toHaveLength(1);
        expect(result.stderr).toMatch(/^chatbench: /);
        if (!sql.includes(';')) expect(result.stderr, sql).toContain('read-only');
      }
      const runs = await chatbench('runs', '--json', ...backend.flags);
      expect(runs.code, runs.stderr).toBe(0);
      expect(JSON.parse(runs.stdout).map((run: { runId: string }) => run.runId)).toEqual([RUN_ID]);
      expect(await sampleCount()).toBe(96);
    });

    it('recreates a table that went missing, so the store works again', async () => {
      const engine = await backend.engine();
      try {
        await engine.exec('DROP TABLE actions');
      } finally {
        await engine.close();
      }
      const query = await chatbench('query', 'SELECT toUInt32(count()) AS n FROM actions', '--json', ...backend.flags);
      expect(query.code, query.stderr).toBe(0);
      expect(JSON.parse(query.stdout)).toEqual([{ n: 0 }]);
    });

    it('deletes runs only through store prune --yes', async () => {
      const refused = await chatbench('store', 'prune', RUN_ID, ...backend.flags);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`chatbench: store prune: refusing to delete 1 run(s) (${RUN_ID}) without --yes\n`);
      expect(await sampleCount()).toBe(96);
      const unknown = await chatbench('store', 'prune', 'no-such-run', '--yes', ...backend.flags);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no such run in the store: no-such-run');
      const pruned = await chatbench('store', 'prune', RUN_ID, '--yes', ...backend.flags);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toBe(`deleted 1 run(s): ${RUN_ID}\n`);
      expect(JSON.parse((await chatbench('runs', '--json', ...backend.flags)).stdout)).toEqual([]);
      expect(await sampleCount()).toBe(0);
    });
  });
}
