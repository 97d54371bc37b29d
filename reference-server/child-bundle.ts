// Server nodes and load-generator workers start from one JavaScript file bundled from their
// TypeScript rather than through tsx: tsx's loader costs about 0.3 s at every process start
// (importing the worker took 0.53 s through tsx, 0.23 s bundled), and a run starts at least two
// processes per model. A bundle is rebuilt whenever a file it was built from changed (mtime or
// size), so an edited source never runs stale; where no bundle can be made (no esbuild, a
// read-only checkout, CHATBENCH_NO_BUNDLE=1) the child runs through tsx as before.
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkTs } from './fork-ts.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'chatbench', 'children');

interface Manifest {
  esbuild: string;
  /** every file the bundle was built from: absolute path -> `mtimeMs:size` */
  inputs: Record<string, string>;
}

/** bundles this process already found fresh (sources do not change under a running run) */
const checked = new Map<string, Promise<string | undefined>>();

/** Forks a TypeScript entry point from its bundle, or through tsx where there is none. */
export async function forkBundled(entry: string, options: ForkOptions = {}): Promise<ChildProcess> {
  const bundle = await bundledEntry(entry);
  return bundle ? fork(bundle, [], options) : forkTs(entry, options);
}

/** The bundle of `entry`, built now if it is missing or stale; undefined where none can be made. */
export function bundledEntry(entry: string): Promise<string | undefined> {
  if (process.env.CHATBENCH_NO_BUNDLE === '1') return Promise.resolve(undefined);
  let bundle = checked.get(entry);
  if (!bundle) {
    bundle = freshBundle(resolve(entry)).catch(() => undefined);
    checked.set(entry, bundle);
  }
  return bundle;
}

/** The bundle of `entry`, built again if any file it came from changed since (no per-process memo). */
export async function freshBundle(entry: string, where = { root: ROOT, cacheDir: CACHE_DIR }): Promise<string> {
  // the checkout's own path in the name: two checkouts sharing one node_modules (a symlink, a
  // worktree) would otherwise each take the other's bundle for fresh, its sources being unchanged
  const checkout = createHash('sha256').update(where.root).digest('hex').slice(0, 8);
  const out = join(where.cacheDir, `${checkout}-${relative(where.root, entry).replace(/[\\/]/g, '__').replace(/\.ts$/, '')}.mjs`);
  const manifestFile = `${out}.json`;
  const esbuild = await import('esbuild');
  if (isFresh(manifestFile, esbuild.version)) return out;
  mkdirSync(dirname(out), { recursive: true });
  // another process may build the same entry at the same moment: each writes its own files and
  // renames them into place, so a reader sees one whole bundle or the other
  const unique = `${process.pid}-${Date.now()}`;
  const result = await esbuild.build({
    entryPoints: [entry],
    // the metafile names inputs relative to this, wherever chatbench is run from
    absWorkingDir: where.root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: `${out}.${unique}.tmp.mjs`,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
  });
  const inputs: Manifest['inputs'] = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = resolve(where.root, input);
    inputs[file] = stamp(file);
  }
  writeFileSync(`${manifestFile}.${unique}.tmp`, JSON.stringify({ esbuild: esbuild.version, inputs } satisfies Manifest));
  renameSync(`${out}.${unique}.tmp.mjs`, out);
  renameSync(`${manifestFile}.${unique}.tmp`, manifestFile);
  return out;
}

function isFresh(manifestFile: string, esbuildVersion: string): boolean {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch {
    return false;
  }
  if (manifest.esbuild !== esbuildVersion) return false;
  try {
    return Object.entries(manifest.inputs).every(([file, was]) => stamp(file) === was);
  } catch {
    return false;
  }
}

function stamp(file: string): string {
  const stats = statSync(file);
  return `${stats.mtimeMs}:${stats.size}`;
}

/**
 * Each module keeps its own `import.meta.url`: models find their SQL migrations beside their
 * source, which a single bundle's URL would move.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};
