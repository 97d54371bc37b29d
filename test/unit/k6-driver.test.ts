// The k6 driver's parts that need no k6: execution segments, the env contract with the script,
// the phase coordinator over real HTTP (in-process and as `chatbench k6 coordinate`), reading
// k6's JSON output back, and how `--driver k6` fails where there is no k6.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configEnv, readPlanEnv, readRuntimeEnv, vusFor } from '../../drivers/k6/config.ts';
import { PhaseCoordinator } from '../../drivers/k6/coordinator.ts';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { executionSegments, k6RunArgs } from '../../drivers/k6/driver.ts';
import { runnerImage } from '../../drivers/k6/export.ts';
import { readK6Output } from '../../drivers/k6/output.ts';
import { resolveParams } from '../../scenarios/define.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

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

  it('k6 2.x given by K6_BIN: found with its version, run without the REST API flag 1.x needs, its own runner image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatbench-k6-bin-'));
    try {
      const fake = (version: string) => {
        const path = join(dir, `k6-${version}`);
        writeFileSync(path, `#!/bin/sh\necho "k6 v${version} (go1.26.8, linux/amd64)"\n`, { mode: 0o755 });
        return path;
      };
      expect(await locateK6({ K6_BIN: fake('2.0.0') })).toEqual({ path: join(dir, 'k6-2.0.0'), version: '2.0.0' });
      expect(await locateK6({ K6_BIN: fake('0.52.0') })).toEqual({ missing: expect.stringMatching(/is k6 0\.52\.0; TypeScript scenarios need k6 >= 1\.0/) });
      // 1.x starts its REST API unless told not to; 2.x only when asked (and --address is unchanged)
      expect(k6RunArgs({ outFile: 'o.json', version: '1.8.1' })).toContain('--address=');
      expect(k6RunArgs({ outFile: 'o.json', version: '2.0.0' }).filter((arg) => arg.startsWith('--address'))).toEqual([]);
      expect(runnerImage('2.0.0')).toBe('grafana/k6:2.0.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
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

describe('k6 output and the cluster coordinator', () => {
  it("reads k6's JSON lines back under the spec's names, skipping k6's own metrics", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatbench-k6-output-'));
    const runStart = Date.parse('2026-01-01T00:00:00.000Z');
    const point = (metric: string, value: number, ms: number, tags: Record<string, string> = {}) =>
      JSON.stringify({ metric, type: 'Point', data: { time: new Date(runStart + ms).toISOString(), value, tags } });
    const lines = [
      JSON.stringify({ type: 'Metric', data: { name: 'latency_ack', type: 'trend' }, metric: 'latency_ack' }),
      point('ws_msgs_received', 1, 5),
      point('latency_ack', 12.5, 100),
      point('latency_ack', 3, 150),
      point('latency_sync', 40, 200),
      point('action_send', 1, 100),
      point('action_send', 1, 150),
      point('action_deliver', 1, 160),
      point('client_errors', 1, 170, { code: 'socket' }),
      point('check_own_messages', 2, 300, { conversation: '7' }),
      point('check_ticks_checked', 2, 300),
      point('check_tick_mismatches', 1, 300, { example: 'user 1 conversation 7 seq 2: client shows sent, plan expects read' }),
    ];
    const file = join(dir, 'k6.json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    try {
      const output = await readK6Output(file, 'watermark', runStart);
      expect(output.actions).toEqual({ send: 2, deliver: 1 });
      expect(output.errors).toEqual({ socket: 1 });
      expect(output.ticks).toEqual({ ownMessages: { '7': 2 }, checked: 2, mismatched: 1, mismatches: ['user 1 conversation 7 seq 2: client shows sent, plan expects read'] });
      expect(output.latency.samples).toEqual([
        { model: 'watermark', metric: 'latency.ack', t_ms: 100, value_ms: 12.5, tags: '{}' },
        { model: 'watermark', metric: 'latency.ack', t_ms: 150, value_ms: 3, tags: '{}' },
        { model: 'watermark', metric: 'latency.sync', t_ms: 200, value_ms: 40, tags: '{}' },
      ]);
      expect(Object.keys(output.latency.histograms).sort()).toEqual(['latency.ack', 'latency.sync']);
      writeFileSync(file, `${point('latency_ack', 1, 1)}\n{"metric":"latency_ack", broken\n`);
      await expect(readK6Output(file, 'watermark', runStart)).rejects.toThrow(/k6\.json:2: not a JSON line/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`k6 coordinate` leads the VUs of a plan through its phases and exits when they finish', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    // 2 pairs = 4 clients, 2 per VU: 2 VUs through every phase of the plan
    const definition = SCENARIOS['vacation-backlog']!;
    const phases = definition.plan(resolveParams(definition, ['pairs=2']) as never, 1).phases.length;
    const child = spawn(process.execPath, ['bin/chatbench.mjs', 'k6', 'coordinate', 'vacation-backlog', '--set', 'pairs=2', '--clients-per-vu', '2', '--host', '127.0.0.1', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let attempt = 0; !stdout.includes('coordinating') && attempt < 200; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stdout).toContain(`coordinating 2 VUs through ${phases} phases`);
      for (let phase = 0; phase < phases; phase++) {
        const starts = await Promise.all([0, 1].map((vu) => post(`${url}/phase/${phase}/start`, { vu })));
        expect(starts.map((start) => typeof start.body.startAt)).toEqual(['number', 'number']);
        for (const vu of [0, 1]) await post(`${url}/phase/${phase}/done`, { vu, actions: { connect: 1 } });
      }
      const finished = await Promise.all([0, 1].map((vu) => post(`${url}/finish`, { vu })));
      expect(finished.map((answer) => answer.status)).toEqual([200, 200]);
      expect(await exited).toBe(0);
      expect(stdout).toContain(`phase ${phases}: done {"connect":2}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  });
});
