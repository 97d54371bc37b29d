// Servers chatbench starts (redis-server, embedded Postgres and its watchdog) are recorded, by pid
// and start time, in the file CHATBENCH_CHILD_PIDS names, when it is set. The test suite sets it
// and fails when a recorded process outlives the suite: redis-server and postgres rewrite their
// process title over their environment, so a marker in the environment cannot find them.
import { appendFileSync, readFileSync } from 'node:fs';

export const CHILD_PIDS_ENV = 'CHATBENCH_CHILD_PIDS';

/** The kernel's start time of a process (clock ticks since boot): a pid reused later differs. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may hold spaces and parentheses: fields are counted after its closing ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function recordChildPid(pid: number | undefined, what: string): void {
  const file = process.env[CHILD_PIDS_ENV];
  if (!file || !pid) return;
  try {
    appendFileSync(file, `${pid} ${processStartTime(pid) ?? '?'} ${what}\n`);
  } catch {
    // the record is for a test suite's leftover check; a run never fails for it
  }
}
