// Child processes run TypeScript through tsx like the CLI does. `--import tsx` alone resolves
// against the working directory, which fails wherever chatbench is run from outside the
// project, so the loader is passed by its resolved location (require.resolve: it also works
// where import.meta.resolve does not, e.g. under the test runner's module transform).
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const TS_EXEC_ARGV = ['--import', TSX_LOADER];

export function forkTs(modulePath: string, options: ForkOptions = {}): ChildProcess {
  return fork(modulePath, [], { ...options, execArgv: [...TS_EXEC_ARGV, ...(options.execArgv ?? [])] });
}
