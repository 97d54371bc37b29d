// A run killed with SIGKILL runs no exit hook: its embedded Postgres (and its temp directory) must
// still go, taken down by the watchdog the run started with it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesWithMarker } from '../support/leftovers.ts';

const BIN = resolve('bin/chatbench.mjs');
const MARK = 'CHATBENCH_ORPHAN_TEST';

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('embedded Postgres of a killed run', () => {
  it('is stopped and its temp directory removed when the run is killed with SIGKILL', async () => {
    const marker = randomBytes(6).toString('hex');
    const env: Record<string, string | undefined> = { ...process.env, CI: 'true', [MARK]: marker };
    delete env.CHATBENCH_PG_URL;
    const child = spawn(process.execPath, [BIN, 'run', 'vacation-backlog', '--set', 'pairs=200', '--set', 'backlog=50', '--no-store'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((done) => child.once('exit', done));
    const postmaster = await until(() => {
      const found = processesWithMarker(marker, () => false, MARK).find(({ command }) => / -D /.test(command) && /postgres/.test(command));
      return found;
    }, 60_000);
    // the watchdog starts once the server answers: give the run a moment past that
    await until(() => (processesWithMarker(marker, () => false, MARK).some(({ command }) => command.includes('-e')) ? true : undefined), 10_000);
    expect(postmaster, `no embedded Postgres seen: ${stderr}`).toBeDefined();
    const dataDir = / -D (\S+)/.exec(postmaster!.command)![1]!;
    expect(existsSync(dataDir)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const left = await until(() => {
      const still = processesWithMarker(marker, () => false, MARK);
      return still.length === 0 && !existsSync(dataDir) ? [] : undefined;
    }, 20_000);
    expect(left, `still running: ${JSON.stringify(processesWithMarker(marker, () => false, MARK))}; data dir present: ${existsSync(dataDir)}`).toEqual([]);
  }, 120_000);
});
