// Resident set size of a process, read from /proc (Linux): what the kernel holds for it, heap,
// buffers and native memory alike, which is what an operator sees growing.
import { readFileSync } from 'node:fs';

export function readRssMib(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Resident set size of a process in MiB (Linux), sampled until stopped: start, max, last. */
export function sampleRss(pid: number, everyMs = 200) {
  const read = () => readRssMib(pid);
  const figures = { start: read(), max: 0, last: 0 };
  figures.max = figures.last = figures.start;
  const timer = setInterval(() => {
    try {
      figures.last = read();
      figures.max = Math.max(figures.max, figures.last);
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    figures,
    stop() {
      clearInterval(timer);
      return { ...figures };
    },
  };
}

