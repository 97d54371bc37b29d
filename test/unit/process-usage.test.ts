// The /proc reader the k6 driver and the benches weigh processes with: it must see this process's
// own CPU grow with work, and answer zeros, not throw, for a process that is gone or unnamed.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processUsage } from '../../drivers/process-usage.ts';

describe('processUsage', () => {
  it("reads a live process's CPU time and resident memory", () => {
    const before = processUsage(process.pid);
    // burn 100 ms of CPU: /proc counts it in 10 ms ticks
    const until = process.cpuUsage().user + 100_000;
    while (process.cpuUsage().user < until);
    const after = processUsage(process.pid);
    expect(after.cpuMs - before.cpuMs).toBeGreaterThanOrEqual(50);
    expect(after.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('answers zeros for no process and for one that has exited', () => {
    expect(processUsage(undefined)).toEqual({ cpuMs: 0, rssBytes: 0 });
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    expect(processUsage(gone)).toEqual({ cpuMs: 0, rssBytes: 0 });
  });
});
