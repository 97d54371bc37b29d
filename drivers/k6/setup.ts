// `npm run setup:k6`: makes a k6 binary available to the k6 driver. Uses K6_BIN or a k6 >= 1.0
// already on PATH; otherwise builds the pinned release with Go into .k6/bin (gitignored), once:
// a later call finds it there and returns at once, which is what keeps CI's k6 step cheap.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { K6_BINARY, LOCAL_K6, LOCAL_K6_DIR, findK6, k6Version } from './binary.ts';

async function main(): Promise<number> {
  const force = process.argv.includes('--force');
  const found = findK6();
  if (!force && !('missing' in found)) {
    const version = await k6Version(found.path);
    if (version && Number(version.split('.')[0]) >= K6_BINARY.minimumMajor) {
      process.stdout.write(`k6 ${version} at ${found.path} (from ${found.source}); nothing to build\n`);
      return 0;
    }
    process.stdout.write(`k6 at ${found.path} is ${version ?? 'not runnable'}; building ${K6_BINARY.version} into .k6/bin\n`);
  }
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    process.stderr.write(`setup:k6: no k6 >= ${K6_BINARY.minimumMajor}.0 and no Go toolchain to build one; install Go, or set ${K6_BINARY.envVar} to a k6 binary\n`);
    return 1;
  }
  mkdirSync(LOCAL_K6_DIR, { recursive: true });
  const target = `${K6_BINARY.module}@${K6_BINARY.version}`;
  process.stdout.write(`building ${target} with ${go.stdout.trim()} (a few minutes the first time)\n`);
  const build = spawnSync('go', ['install', '-trimpath', target], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: LOCAL_K6_DIR, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') },
  });
  if (build.status !== 0) {
    process.stderr.write(`setup:k6: go install ${target} failed (exit ${build.status})\n`);
    return 1;
  }
  const version = await k6Version(LOCAL_K6);
  if (!version) {
    process.stderr.write(`setup:k6: the build left no runnable ${LOCAL_K6}\n`);
    return 1;
  }
  process.stdout.write(`k6 ${version} built at ${LOCAL_K6}\n`);
  return 0;
}

process.exitCode = await main();
