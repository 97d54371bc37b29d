// What a run at scale needs before and around it: a node's share of clients checked against the
// open-file limit before anything starts, and a run that stores nothing never loading chDB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('chatbench run at scale', () => {
  it('refuses a node share over the open-file limit before starting anything, naming --nodes', () => {
    const result = spawnSync('sh', ['-c', `ulimit -n 3000 && exec "${process.execPath}" bin/chatbench.mjs run mass-reconnect --set users=5000 --models watermark --no-store`], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    expect(result.stderr).toMatch(/^chatbench: --nodes 1: a node would hold 5000 client sockets, over its open-file limit \(ulimit -n 3000, .*use --nodes 3 or more, or raise ulimit -n$/m);
    expect(result.status).toBe(2);
  });

  it('--no-store completes a run with chDB unloadable', () => {
    const out = mkdtempSync(join(tmpdir(), 'chatbench-nostore-'));
    dirs.push(out);
    const result = spawnSync(
      process.execPath,
      ['--import', './test/support/forbid-chdb.mjs', 'bin/chatbench.mjs', 'run', 'vacation-backlog', '--set', 'pairs=3', '--set', 'backlog=2', '--models', 'watermark', '--no-store', '--pg-url', inject('pgAdminUrl'), '--out', out, '--json'],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 },
    );
    expect(result.stderr).not.toMatch(/forbidden/);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { models: Record<string, { check: { ticks_consistent: boolean } }> }).models.watermark!.check.ticks_consistent).toBe(true);
  });

  it('the hook itself stops a run that stores', () => {
    const result = spawnSync(process.execPath, ['--import', './test/support/forbid-chdb.mjs', 'bin/chatbench.mjs', 'runs', '--store-dir', join(mkdtempSync(join(tmpdir(), 'chatbench-store-')), 'store')], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', CHATBENCH_CLICKHOUSE_URL: '' },
    });
    expect(result.stderr).toMatch(/forbidden: chdb was loaded/);
  });
});
