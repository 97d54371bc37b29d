// Which processes this run of the suite started and left running. The global setup puts a marker
// unique to this run in the environment; every process the suite starts (workers, and through
// them redis-server, embedded Postgres, clickhouse-server, k6, `chatbench serve`) inherits it. A
// process is ours only when it carries our marker, so the machine's own Postgres and Redis, and
// suites other people run at the same time in other clones, are never counted.
import { readFileSync, readdirSync } from 'node:fs';
import { processStartTime } from '../../reference-server/child-pids.ts';

export const SUITE_MARKER_VAR = 'CHATBENCH_TEST_SUITE';

export interface Leftover {
  pid: number;
  command: string;
}

export function processesWithMarker(marker: string, exclude: (command: string, pid: number) => boolean, variable = SUITE_MARKER_VAR): Leftover[] {
  const needle = `${variable}=${marker}`;
  const found: Leftover[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(needle)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // a zombie has no command line: it is gone, only not yet reaped
      if (!command || exclude(command, pid)) continue;
      found.push({ pid, command });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

/**
 * The processes recorded in a CHATBENCH_CHILD_PIDS file (reference-server/child-pids.ts) that are
 * still the same processes (same pid and start time) and still running.
 */
export function recordedProcesses(file: string): Leftover[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const found: Leftover[] = [];
  for (const line of text.split('\n')) {
    const [pidText, started, ...what] = line.split(' ');
    const pid = Number(pidText);
    if (!pid || processStartTime(pid) !== started) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (command) found.push({ pid, command: `${command} (${what.join(' ')})` });
    } catch {
      // gone
    }
  }
  return found;
}

/** Waits up to `graceMs` for the marked and recorded processes to exit; returns those still there. */
export async function leftoverProcesses(marker: string, pidFile: string, graceMs: number, exclude: (command: string, pid: number) => boolean): Promise<Leftover[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const marked = processesWithMarker(marker, exclude);
    const left = [...marked, ...recordedProcesses(pidFile).filter(({ pid }) => !marked.some((process) => process.pid === pid))];
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
