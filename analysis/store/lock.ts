// chDB binds one process to a data directory, and two processes writing one directory corrupt it.
// A lock file holding the owner's pid serialises chatbench processes: a second one waits (bounded)
// and then fails naming the owner; a lock left by a dead process is taken over.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = '.chatbench.lock';
export const LOCK_DEFAULTS = { timeoutMs: 10_000, pollMs: 100 } as const;

export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
    waitedMs: number,
  ) {
    super(`store ${dir} is in use by pid ${ownerPid} (waited ${(waitedMs / 1000).toFixed(1)} s); try again when it finishes`);
  }
}

export interface StoreLock {
  readonly path: string;
  release(): void;
}

// Re-entrant within a process: chDB lets one process open the same directory several times.
const held = new Map<string, { count: number; path: string }>();
let exitHookInstalled = false;

export async function acquireStoreLock(
  dir: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<StoreLock> {
  const timeoutMs = options.timeoutMs ?? LOCK_DEFAULTS.timeoutMs;
  const pollMs = options.pollMs ?? LOCK_DEFAULTS.pollMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`lockTimeoutMs must be a non-negative number, got ${timeoutMs}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const mine = held.get(path);
  if (mine) {
    mine.count++;
    return handle(path);
  }
  const started = Date.now();
  for (;;) {
    const owner = tryCreate(path);
    if (owner === undefined) break;
    if (!isAlive(owner)) {
      removeIfOwnedBy(path, owner);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new StoreBusyError(dir, owner, waited);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, timeoutMs - waited)));
  }
  held.set(path, { count: 1, path });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A crash between open and close must not leave a live-looking lock behind for our pid.
    process.on('exit', () => {
      for (const lock of held.values()) unlinkQuietly(lock.path);
    });
  }
  return handle(path);
}

function handle(path: string): StoreLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      const entry = held.get(path);
      if (!entry) return;
      if (--entry.count > 0) return;
      held.delete(path);
      removeIfOwnedBy(path, process.pid);
    },
  };
}

/** Creates the lock atomically (link fails if it exists); returns the current owner's pid if taken. */
function tryCreate(path: string): number | undefined {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readOwner(path) ?? 0;
  } finally {
    unlinkQuietly(temp);
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    // An unreadable or empty lock (a writer died mid-write) counts as stale: pid 0 is never alive.
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the store.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Re-reading just before unlinking narrows the window in which two processes taking over the
// same stale lock could remove each other's fresh one.
function removeIfOwnedBy(path: string, pid: number): void {
  const owner = readOwner(path);
  if (owner === pid || (owner === 0 && pid === 0)) unlinkQuietly(path);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
