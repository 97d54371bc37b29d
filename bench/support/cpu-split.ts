// Gives Postgres and the load side (pgbench, or the chat server with its clients) CPUs of their
// own, so a ratio of their throughputs compares what each side can drive through the same
// database, not who wins the fight for shared cores. A chat server's path has twice the socket
// hops of pgbench's (client -> server -> Postgres and back); on cores shared with Postgres every
// hop's system calls are taken from the database, which no server design can avoid.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

export interface CpuSplit {
  /** CPUs for Postgres, as taskset lists them */
  database: string;
  /** the same CPUs by number */
  databaseIds: number[];
  /** CPUs for the load side */
  load: string;
  all: string;
}

/** Half the CPUs (at least one) each side; undefined on one CPU or without taskset. */
export function planCpuSplit(cpus = availableParallelism()): CpuSplit | undefined {
  if (cpus < 2 || !hasTaskset()) return undefined;
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return {
    database: range(0, half - 1),
    databaseIds: Array.from({ length: half }, (_, cpu) => cpu),
    load: range(half, cpus - 1),
    all: range(0, cpus - 1),
  };
}

/** Every CPU of the machine by number, as `busyMeter` takes them. */
export function allCpus(): number[] {
  return Array.from({ length: availableParallelism() }, (_, cpu) => cpu);
}

/** Starts counting; the returned function gives the share of `cpus`' time not idle since. */
export function busyMeter(cpus: number[]): () => number {
  const read = () => {
    const ticks = { idle: 0, total: 0 };
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+) (.*)$/.exec(line);
      if (!match || !cpus.includes(Number(match[1]))) continue;
      const values = match[2]!.trim().split(/\s+/).map(Number);
      // idle and iowait
      ticks.idle += values[3]! + values[4]!;
      ticks.total += values.slice(0, 8).reduce((sum, value) => sum + value, 0);
    }
    return ticks;
  };
  const start = read();
  return () => {
    const end = read();
    const total = end.total - start.total;
    return total > 0 ? 1 - (end.idle - start.idle) / total : 0;
  };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Postgres's postmaster: the parent of a backend we open. */
export async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return parentOf(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

function parentOf(pid: number): number {
  // the command name in field 2 may hold spaces; the parent pid is the 2nd field after its ')'
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parentOf(Number(entry)) === parent) children.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return children;
}

/** Pins a process and every thread of it; with `withChildren`, its current children too (backends). */
export function pin(pid: number, cpus: string, withChildren = false): void {
  for (const target of [pid, ...(withChildren ? childrenOf(pid) : [])]) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(target)], { stdio: 'ignore' });
    } catch {
      // a backend that exited meanwhile; the postmaster's own pin is what new backends inherit
      if (target === pid) throw new Error(`taskset could not pin process ${pid} to CPUs ${cpus}`);
    }
  }
}
