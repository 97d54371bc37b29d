// Nothing lost when the store is down, and one process per chDB directory.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, StoreBusyError } from '../../../analysis/store/index.ts';
import { LOCK_FILE } from '../../../analysis/store/lock.ts';
import { persistRun } from '../../../analysis/store/run-dir.ts';
import { startClickhouseServer } from '../../support/clickhouse-server.ts';
import { FIXTURE_DIR, tempDir } from '../../support/store-fixtures.ts';

function digest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex');
}

describe('a ClickHouse server that is down', () => {
  it('keeps the run on disk, and a later load stores it once', async () => {
    const server = await startClickhouseServer();
    try {
      const dir = join(tempDir('kept'), 'run');
      cpSync(FIXTURE_DIR, dir, { recursive: true });
      const before = digest(dir);

      await server.stop();
      const outcome = await persistRun(dir, { clickhouseUrl: server.url });
      expect(outcome.stored).toBe(false);
      expect(outcome.alreadyStored).toBe(false);
      expect(outcome.error).toMatch(new RegExp(`could not store .* in clickhouse ${server.url}: ClickHouse at ${server.url} is unreachable: .*ECONNREFUSED`));
      expect(digest(dir)).toBe(before);

      await server.start();
      expect(await persistRun(dir, { clickhouseUrl: server.url })).toEqual({ stored: true, alreadyStored: false });
      expect(await persistRun(dir, { clickhouseUrl: server.url })).toEqual({ stored: false, alreadyStored: true });
      const store = await openStore({ clickhouseUrl: server.url });
      try {
        const [row] = await store.query<{ n: unknown }>('SELECT count() AS n FROM samples');
        expect(Number(row!.n)).toBe(96);
      } finally {
        await store.close();
      }
    } finally {
      await server.remove();
    }
  });

  it('persistRun reports bad options and bad dirs as errors instead of throwing', async () => {
    expect((await persistRun(FIXTURE_DIR, { clickhouseUrl: 'not a url' })).error).toMatch(/clickhouseUrl "not a url" is not a URL/);
    expect((await persistRun(join(tempDir('empty'), 'nothing'), { dataDir: join(tempDir('s'), 'store') })).error).toMatch(/results\.json: no such file/);
  });
});

/** A separate node process that holds the chDB store open until killed. */
function holdStore(dataDir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const script = `
    const { openStore } = await import(${JSON.stringify(new URL('../../../analysis/store/index.ts', import.meta.url).href)});
    await openStore({ dataDir: ${JSON.stringify(dataDir)} });
    process.stdout.write('open\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
    child.stdout!.once('data', () =>
      resolve({
        pid: child.pid!,
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      }),
    );
  });
}

describe('one process per chDB store', () => {
  it('makes a second process wait, then fail naming the owner', async () => {
    const dataDir = join(tempDir('locked'), 'store');
    const holder = await holdStore(dataDir);
    try {
      const started = Date.now();
      const error = await openStore({ dataDir, lockTimeoutMs: 700 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
      expect(error).toBeInstanceOf(StoreBusyError);
      expect((error as Error).message).toContain(`store ${dataDir} is in use by pid ${holder.pid}`);
    } finally {
      await holder.kill();
    }
    // SIGKILL left the lock file behind with a dead pid: it is taken over.
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(holder.pid));
    const store = await openStore({ dataDir, lockTimeoutMs: 0 });
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await store.close();
  });

  it('lets the waiting process in as soon as the owner closes', async () => {
    const dataDir = join(tempDir('handover'), 'store');
    const holder = await holdStore(dataDir);
    const killer = setTimeout(() => void holder.kill(), 500);
    try {
      const store = await openStore({ dataDir, lockTimeoutMs: 20_000 });
      await store.close();
    } finally {
      clearTimeout(killer);
      await holder.kill();
    }
  });

  it('treats an empty or garbled lock file as stale', async () => {
    const dataDir = join(tempDir('garbled'), 'store');
    const store = await openStore({ dataDir });
    await store.close();
    writeFileSync(join(dataDir, LOCK_FILE), 'not a pid');
    const again = await openStore({ dataDir, lockTimeoutMs: 0 });
    await again.close();
  });
});
