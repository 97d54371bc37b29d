// Where a calibration or a validation was measured: the code, the machine, how busy it was.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Provenance } from '../../analysis/simulation/calibration.ts';

function git(args: string[]): string | undefined {
  try {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    return execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

export function machine(): Provenance['machine'] {
  return { cores: cpus().length, memoryBytes: totalmem(), platform: `${process.platform} ${process.arch}`, cpuModel: cpus()[0]?.model, node: process.version };
}

export function codeVersion(): { gitSha: string; dirty: boolean } {
  const sha = git(['rev-parse', 'HEAD']) ?? 'unknown';
  // untracked files outside the code (run output) do not make measurements differ
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { gitSha: sha, dirty: status === undefined ? true : status.length > 0 };
}

export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
