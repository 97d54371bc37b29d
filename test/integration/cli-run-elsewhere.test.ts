// A user runs chatbench from their own directory: the run, its servers and workers start, the
// run lands in that directory's store, and `runs` lists it with the code's git sha.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const BIN = resolve('bin/chatbench.mjs');

function cli(cwd: string, args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', CHATBENCH_PG_URL: inject('pgAdminUrl') },
    timeout: 180_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('chatbench run from another working directory', () => {
  it('runs, stores the run there, and lists it with the git sha of the code', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'chatbench-user-'));
    const run = cli(cwd, ['run', 'vacation-backlog', '--set', 'pairs=3', '--set', 'backlog=4', '--json']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout);
    expect(results.models.naive.actions.read['db.rows_written']).toBe(12);
    expect(results.models.watermark.actions.read['db.rows_written']).toBe(3);
    const runs = cli(cwd, ['runs', '--json']);
    expect(runs.code).toBe(0);
    const listed = JSON.parse(runs.stdout);
    expect(listed.map((entry: { runId: string }) => entry.runId)).toEqual([results.runId]);
    expect(listed[0].gitSha).toBe(execFileSync('git', ['rev-parse', 'HEAD']).toString().trim());
  });
});
