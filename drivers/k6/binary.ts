// Where the k6 binary comes from: K6_BIN, else the copy `npm run setup:k6` builds into .k6/bin,
// else a `k6` on PATH. k6 runs our TypeScript natively from 1.0 on, so older ones are refused.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const K6_BINARY = {
  /** the k6 release `npm run setup:k6` builds */
  version: 'v1.8.1',
  module: 'go.k6.io/k6',
  /** where k6 2.x lives (given by K6_BIN; `setup:k6` keeps building the pinned 1.x) */
  moduleV2: 'go.k6.io/k6/v2',
  minimumMajor: 1,
  envVar: 'K6_BIN',
};

/**
 * Options that keep a k6 run from starting its REST API, which several k6 processes on one
 * host would contend for (its one default port). k6 2.x starts it only when asked, 1.x unless
 * told `--address=`.
 */
export function noRestApiArgs(version: string): string[] {
  return Number(version.split('.')[0]) >= 2 ? [] : ['--address='];
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LOCAL_K6_DIR = join(REPO_ROOT, '.k6', 'bin');
export const LOCAL_K6 = join(LOCAL_K6_DIR, 'k6');

export const HOW_TO_GET_K6 = `run \`npm run setup:k6\` (builds k6 ${K6_BINARY.version} with Go into .k6/bin), or set ${K6_BINARY.envVar} to a k6 >= ${K6_BINARY.minimumMajor}.0 binary`;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export type K6Lookup = { path: string; source: 'K6_BIN' | 'local' | 'PATH' } | { missing: string };

export function findK6(env: NodeJS.ProcessEnv = process.env): K6Lookup {
  const fromEnv = env[K6_BINARY.envVar];
  if (fromEnv) return executable(fromEnv) ? { path: fromEnv, source: 'K6_BIN' } : { missing: `${K6_BINARY.envVar}=${fromEnv} is not an executable file` };
  if (executable(LOCAL_K6)) return { path: LOCAL_K6, source: 'local' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    if (existsSync(candidate) && executable(candidate)) return { path: candidate, source: 'PATH' };
  }
  return { missing: 'no k6 found' };
}

/** `k6 version` -> "1.8.1", or undefined when it does not run. */
export async function k6Version(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(path, ['version'], { timeout: 30_000 });
    return /\bv?(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** The usable k6 binary, or why there is none and how to get one. */
export async function locateK6(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; version: string } | { missing: string }> {
  const found = findK6(env);
  if ('missing' in found) return { missing: `${found.missing}: ${HOW_TO_GET_K6}` };
  const version = await k6Version(found.path);
  if (!version) return { missing: `${found.path} (from ${found.source}) does not run \`k6 version\`: ${HOW_TO_GET_K6}` };
  if (Number(version.split('.')[0]) < K6_BINARY.minimumMajor) {
    return { missing: `${found.path} is k6 ${version}; TypeScript scenarios need k6 >= ${K6_BINARY.minimumMajor}.0: ${HOW_TO_GET_K6}` };
  }
  return { path: found.path, version };
}
