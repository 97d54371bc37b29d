// Child processes run TypeScript through tsx like the CLI does. `--import tsx` alone resolves
// against the working directory, which fails wherever chatbench is run from outside the
// project, so the loader is passed by its resolved location.
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';

const TSX_LOADER = import.meta.resolve('tsx');

export const TS_EXEC_ARGV = ['--import', TSX_LOADER];

export function forkTs(modulePath: string, options: ForkOptions = {}): ChildProcess {
  return fork(modulePath, [], { ...options, execArgv: [...TS_EXEC_ARGV, ...(options.execArgv ?? [])] });
}
