// The global teardown's leftover check counts a process as the suite's only by the marker in its
// environment: one started with this run's marker is found, the same command without it (another
// clone's suite, the machine's own servers) is not.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { processesWithMarker } from '../support/leftovers.ts';

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
