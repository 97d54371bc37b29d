// A run whose Postgres restarts under it (`chatbench run --pg-url ...`): the run must not crash
// with a dump. It stops with one line saying what happened (or finishes, if it could retry), keeps
// every model that finished on disk, loadable with `chatbench load`, and leaves no database behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startRestartablePostgres, type RestartablePostgres } from '../support/restartable-postgres.ts';

const BIN = resolve('bin/chatbench.mjs');
const dirs: string[] = [];
let postgres: RestartablePostgres | undefined;
afterAll(async () => {
  await postgres?.remove();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a run whose Postgres restarts', () => {
  // right after the first model (the second one is preparing its database), and while the second
  // one's load runs (its server node's pool holds more connections than setup ever opens), when
  // the node's checked-out clients lose their server mid-transaction
  const WHEN: Record<string, () => Promise<void>> = {
    'after the first model': async () => {},
    "during the second model's load": async () => {
      const deadline = Date.now() + 30_000;
      while ((await postgres!.connections('chatbench_watermark')) <= 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    },
  };
  it.each(Object.keys(WHEN))('stops with one line, keeps the finished model on disk and drops its databases (restart %s)', async (when) => {
    postgres ??= await startRestartablePostgres();
    const work = mkdtempSync(join(tmpdir(), 'chatbench-restart-'));
    dirs.push(work);
    const out = join(work, 'run');
    const child = spawn(
      process.execPath,
      [BIN, 'run', 'vacation-backlog', '--set', 'pairs=40', '--set', 'backlog=30', '--models', 'naive,watermark', '--baseline', 'watermark', '--pg-url', postgres.url, '--out', out, '--store-dir', join(work, 'store')],
      { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let restarted: Promise<void> | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // the first model is done: restart Postgres while the second one runs
      if (!restarted && /naive: done/.test(stderr)) restarted = WHEN[when]!().then(() => postgres!.stop()).then(() => new Promise((r) => setTimeout(r, 1500))).then(() => postgres!.start());
    });
    const code = await new Promise<number | null>((done) => child.once('exit', (status) => done(status)));
    expect(restarted, `the first model never finished: ${stderr}`).toBeDefined();
    await restarted;
    expect(stderr).not.toMatch(/ERR_IPC_CHANNEL_CLOSED|^\s+at /m);
    if (code !== 0) {
      // one line saying what happened, naming Postgres, and where the finished model is
      // nothing but the finished models' notes and that line: no dump, no line per failed request
      const errors = stderr.split('\n').filter((line) => line.trim() && !/^[\w-]+: done in /.test(line));
      expect(errors, stderr).toHaveLength(1);
      expect(errors[0]).toMatch(/^chatbench: /);
      expect(errors[0]).toMatch(/Postgres/);
      expect(errors[0]).toContain(out);
    } else {
      expect(stdout).toContain('watermark');
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.models)).toContain('naive');
    // the baseline (watermark) may not have finished: the kept run is compared against one that did
    expect(Object.keys(results.models)).toContain(results.baseline);
    expect(results.models.naive.actions.read['db.rows_written']).toBe(40 * 30);
    const load = runCli(['load', out, '--store-dir', join(work, 'store2')]);
    expect(load.stderr).not.toMatch(/^\s+at /m);
    expect(load.code, load.stderr).toBe(0);
    expect(existsSync(join(work, 'store2'))).toBe(true);
    expect(await postgres.databases('chatbench_')).toEqual([]);
  }, 240_000);
});
