// The k6 driver's parts that need no k6: execution segments, the env contract with the script,
// the phase coordinator over real HTTP, and how `--driver k6` fails where there is no k6.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configEnv, readPlanEnv, readRuntimeEnv, vusFor } from '../../drivers/k6/config.ts';
import { PhaseCoordinator } from '../../drivers/k6/coordinator.ts';
import { executionSegments } from '../../drivers/k6/driver.ts';

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('k6 driver without k6', () => {
  it('splits a test into equal execution segments that cover it once', () => {
    expect(executionSegments(1)).toEqual({ segments: ['0:1'], sequence: '0,1' });
    expect(executionSegments(2)).toEqual({ segments: ['0:1/2', '1/2:1'], sequence: '0,1/2,1' });
    expect(executionSegments(3).segments).toEqual(['0:1/3', '1/3:2/3', '2/3:1']);
  });

  it('passes the plan and runtime config to the script through env and reads it back', () => {
    const config = {
      scenario: 'vacation-backlog',
      params: { pairs: 3, backlog: 2, sendRate: 2000 },
      seed: 7,
      model: 'watermark',
      cachesSettings: true,
      serverUrls: ['ws://127.0.0.1:1', 'ws://127.0.0.1:2'],
      secret: 's3cret',
      coordinator: 'http://127.0.0.1:9',
      clientsPerVu: 4,
    };
    const env = configEnv(config);
    expect({ ...readPlanEnv(env), ...readRuntimeEnv(env) }).toEqual(config);
    expect(() => readPlanEnv({ ...env, CHATBENCH_SCENARIO: '' })).toThrow(/CHATBENCH_SCENARIO is required/);
    expect(() => readPlanEnv({ ...env, CHATBENCH_CLIENTS_PER_VU: '0' })).toThrow(/CHATBENCH_CLIENTS_PER_VU/);
    expect(vusFor(12, 4)).toBe(3);
    expect(vusFor(13, 4)).toBe(4);
  });

  it('holds every VU at a phase until all arrived and the phase is released, then sums their reports', async () => {
    const coordinator = new PhaseCoordinator(2, { holdMs: 200 });
    const url = await coordinator.listen();
    try {
      const first = post(`${url}/phase/0/start`, { vu: 0 });
      // one VU alone is told to ask again, not released
      expect((await first).status).toBe(202);
      const again = post(`${url}/phase/0/start`, { vu: 0 });
      const second = post(`${url}/phase/0/start`, { vu: 1 });
      await coordinator.arrived(0);
      coordinator.release(0, 12345);
      expect((await again).body).toEqual({ startAt: 12345 });
      expect((await second).body).toEqual({ startAt: 12345 });
      await post(`${url}/phase/0/done`, { vu: 0, actions: { send: 2 } });
      // a repeated report is counted once
      await post(`${url}/phase/0/done`, { vu: 0, actions: { send: 2 } });
      await post(`${url}/phase/0/done`, { vu: 1, actions: { send: 3, open: 1 }, error: 'late' });
      expect(await coordinator.done(0)).toEqual({ actions: { send: 5, open: 1 }, errors: ['late'] });
      coordinator.stop();
      expect((await post(`${url}/phase/1/start`, { vu: 1 })).body).toEqual({ stop: true });
      expect((await post(`${url}/phase/0/start`, { vu: 7 })).status).toBe(400);
    } finally {
      await coordinator.close();
    }
  });

  it('`run --driver k6` without a k6 exits 2 and says how to get one', () => {
    const result = spawnSync(process.execPath, ['bin/chatbench.mjs', 'run', 'vacation-backlog', '--driver', 'k6', '--no-store'], {
      encoding: 'utf8',
      env: { ...process.env, K6_BIN: '/nonexistent/k6' },
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--driver k6 is not available here: K6_BIN=\/nonexistent\/k6 is not an executable file/);
    expect(result.stderr).toMatch(/npm run setup:k6/);
    expect(result.stderr).toMatch(/K6_BIN/);
  });
});
