// The global teardown's leftover check counts a process as the suite's only by the marker in its
// environment: one started with this run's marker is found, the same command without it (another
// clone's suite, the machine's own servers) is not.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHILD_PIDS_ENV, recordChildPid } from '../../reference-server/child-pids.ts';
import { processesWithMarker, recordedProcesses } from '../support/leftovers.ts';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

/** Resolves once the child has exec'd: before that its environment is still the parent's. */
async function sleeper(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], { env, stdio: 'ignore' });
  started.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

describe('processesWithMarker', () => {
  it('finds the processes carrying this marker, and only those', async () => {
    const marker = randomBytes(6).toString('hex');
    const ours = await sleeper({ ...process.env, CHATBENCH_LEFTOVER_PROBE: marker });
    const theirs = await sleeper({ ...process.env, CHATBENCH_LEFTOVER_PROBE: `${marker}x` });
    const unmarked = await sleeper({ PATH: process.env.PATH });
    const found = processesWithMarker(marker, () => false, 'CHATBENCH_LEFTOVER_PROBE').map(({ pid }) => pid);
    expect(found).toEqual([ours.pid]);
    expect(found).not.toContain(theirs.pid);
    expect(found).not.toContain(unmarked.pid);
  });

  it('leaves out what the exclusion names', async () => {
    const marker = randomBytes(6).toString('hex');
    await sleeper({ ...process.env, CHATBENCH_LEFTOVER_PROBE: marker });
    expect(processesWithMarker(marker, (command) => command.startsWith('sleep'), 'CHATBENCH_LEFTOVER_PROBE')).toEqual([]);
  });
});

describe('recordedProcesses', () => {
  it('finds a recorded process while it runs, by pid and start time, and not once it is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatbench-pids-'));
    const file = join(dir, 'pids');
    const previous = process.env[CHILD_PIDS_ENV];
    process.env[CHILD_PIDS_ENV] = file;
    try {
      const child = await sleeper({ PATH: process.env.PATH });
      recordChildPid(child.pid, 'a sleeper');
      // the same pid with another start time is another process that once had that pid
      appendFileSync(file, `${child.pid} 1 an earlier process\n`);
      expect(recordedProcesses(file)).toEqual([{ pid: child.pid, command: 'sleep 30 (a sleeper)' }]);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(recordedProcesses(file)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env[CHILD_PIDS_ENV];
      else process.env[CHILD_PIDS_ENV] = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
