// The run directory is checked before anything runs: a run that cannot write its results would
// otherwise run every model and then fail (a file in the way), or hang (/proc), losing them all.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from './exit-codes.ts';

export interface PreparedOutDir {
  dir: string;
  /** removes the directory again if this check made it and nothing was written into it */
  discardIfUnused(): Promise<void>;
}

/** Makes `dir` (and its parents) and writes a probe file there; any failure names `option`. */
export async function prepareOutDir(dir: string, option: string): Promise<PreparedOutDir> {
  const existed = await stat(dir).then(
    (info) => {
      if (!info.isDirectory()) throw new UsageError(`${option} ${dir}: exists and is not a directory`);
      return true;
    },
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw new UsageError(`${option} ${dir}: not a writable directory (${error.code ?? error.message})`);
    },
  );
  const probe = join(dir, `.chatbench-probe-${randomBytes(4).toString('hex')}`);
  try {
    if (!existed) await makeDirectories(dir);
    // a bounded write: some pseudo filesystems accept a mkdir, then refuse or never finish a file
    await writeFile(probe, 'probe', { signal: AbortSignal.timeout(5000) });
    await rm(probe, { force: true });
  } catch (error) {
    await rm(probe, { force: true }).catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} ${dir}: not a writable directory (${code ?? (error instanceof Error ? error.message : String(error))})`);
  }
  return {
    dir,
    async discardIfUnused() {
      if (!existed) await rmdir(dir).catch(() => {});
    },
  };
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir never returns for a path under /proc
 * (it retries the parent, which exists, forever), which is how `--out /proc/x` hung a run.
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const exists = await stat(current).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (exists) break;
    missing.unshift(current);
    if (current === dirname(current)) break;
  }
  for (const path of missing) await mkdir(path);
}
