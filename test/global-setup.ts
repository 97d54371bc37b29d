// One Postgres for the whole test run: CHATBENCH_PG_URL when set (as CI may), else embedded.
// Each integration test file then makes its own fresh database on it (test/support/db.ts).
// The teardown fails the suite when a process the suite started is still running.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHILD_PIDS_ENV } from '../reference-server/child-pids.ts';
import type { TestProject } from 'vitest/node';
import { connectPostgres, type PostgresHandle } from '../reference-server/db/postgres.ts';
import { SUITE_MARKER_VAR, leftoverProcesses } from './support/leftovers.ts';

let handle: PostgresHandle | undefined;
const marker = randomBytes(8).toString('hex');
// servers that overwrite their environment with their process title (redis-server, postgres)
// carry no marker: every server chatbench starts is also recorded here
const pidFile = join(tmpdir(), `chatbench-suite-${marker}.pids`);

export async function setup(project: TestProject): Promise<void> {
  // before anything starts, so every process the suite starts carries it
  process.env[SUITE_MARKER_VAR] = marker;
  process.env[CHILD_PIDS_ENV] = pidFile;
  try {
    handle = await connectPostgres(process.env.CHATBENCH_PG_URL);
  } catch (error) {
    // vitest shows nothing of a failed global setup but its own banner: say why here
    process.stderr.write(`test global setup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    throw error;
  }
  project.provide('pgAdminUrl', handle.url);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
  // vitest's own workers may still be exiting: they are not the suite's leftovers
  const left = await leftoverProcesses(marker, pidFile, 5_000, (command) => /node_modules\/(vitest|tinypool)\/|^node \(vitest \d+\)$/.test(command));
  rmSync(pidFile, { force: true });
  if (left.length === 0) return;
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const list = left.map(({ pid, command }) => `  ${pid} ${command.slice(0, 200)}`).join('\n');
  const message = `the suite left ${left.length} process(es) running (now killed); the test that started each must stop it:\n${list}`;
  process.stderr.write(`${message}\n`);
  throw new Error(message);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
