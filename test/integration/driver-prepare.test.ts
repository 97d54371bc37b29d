// The Node driver's workers start while the run's database is prepared (LoadDriver.prepare): the
// run uses those workers and forks no others, and a run that fails before its first phase still
// stops them.
import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { createNodeDriver } from '../../drivers/node/driver.ts';
import { runModel } from '../../drivers/orchestrator.ts';
import type { LoadDriver, PreparedLoad } from '../../drivers/types.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const plan = SCENARIOS['vacation-backlog']!.plan({ pairs: 2, backlog: 3, sendRate: 2000, returnWindow: 0, leave: 0 } as never, 1);

/** pids of this process's load-generator workers alive now */
function workerPids(): number[] {
  const rows = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).trim().split('\n');
  return rows.filter((row) => /worker/.test(row)).map((row) => Number(row.trim().split(/\s+/)[0]));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Node driver prepare', () => {
  it('the run executes on the workers prepare forked, and no others', async () => {
    const inner = createNodeDriver({ clientsPerWorker: 2 });
    const seen = new Set<number>();
    let preparedPids: number[] = [];
    const driver: LoadDriver = {
      ...inner,
      async execute(context, prepared) {
        await until(() => workerPids().length === 2, 'two prepared workers');
        preparedPids = workerPids();
        const sampling = setInterval(() => workerPids().forEach((pid) => seen.add(pid)), 20);
        try {
          return await inner.execute(context, prepared);
        } finally {
          clearInterval(sampling);
        }
      },
    };
    const { result } = await runModel({ model: MODELS.watermark!, plan, driver, pgAdminUrl: inject('pgAdminUrl'), nodes: 1, secret: 'prepare-secret' });
    expect(result.check.ticks_consistent).toBe(true);
    expect(preparedPids).toHaveLength(2);
    expect([...seen].sort()).toEqual([...preparedPids].sort());
    await until(() => workerPids().length === 0, 'workers to exit after the run');
  });

  it('a run that fails before its first phase still stops the prepared workers', async () => {
    const inner = createNodeDriver({ clientsPerWorker: 2 });
    let prepared: PreparedLoad | undefined;
    const driver: LoadDriver = { ...inner, prepare: (forPlan) => (prepared = inner.prepare!(forPlan)) };
    await until(() => workerPids().length === 0, 'no workers left from the test before');
    // no database can be created there: the run fails in setup, after prepare forked its workers
    await expect(
      runModel({ model: MODELS.watermark!, plan, driver, pgAdminUrl: 'postgres://127.0.0.1:1/none', nodes: 1, secret: 'prepare-fail-secret' }),
    ).rejects.toThrow();
    expect(prepared).toBeDefined();
    expect(workerPids()).toEqual([]);
    // and none appears later: a fork still under way when setup failed was awaited and stopped
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(workerPids()).toEqual([]);
  });
});
