// CPU time and resident memory of another process, read from /proc (Linux): how the k6 driver
// reports its k6 processes' cost, and how the benches weigh a peer, a server node or a load
// client against each other.
import { readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc times (USER_HZ, 100 on every common kernel). */
const USER_HZ = 100;

/** CPU time and resident memory of a live process from /proc (zeros where there is no /proc). */
export function processUsage(pid: number | undefined): { cpuMs: number; rssBytes: number } {
  if (!pid) return { cpuMs: 0, rssBytes: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at field 3
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return { cpuMs: (cpuTicks * 1000) / USER_HZ, rssBytes: rssKb * 1024 };
  } catch {
    return { cpuMs: 0, rssBytes: 0 };
  }
}
