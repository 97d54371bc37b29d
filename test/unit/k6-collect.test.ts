// k6 collect, coordinate and export at their boundaries, without k6 or a database: every bad
// option, file or key is refused in one line naming it (exit 2 for the caller's input, 1 for a
// run whose files are not whole); and a runner file's integrity as its reader sees it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readK6Output, unfinishedVus } from '../../drivers/k6/output.ts';
import { runnerSpec } from '../../drivers/k6/rehearse.ts';
import { RUN_CONFIG_FORMAT, RUN_FILES } from '../../drivers/k6/run-files.ts';
import { runCli } from '../support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'chatbench-collect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const goodConfig = {
  format: RUN_CONFIG_FORMAT,
  scenario: 'vacation-backlog',
  params: { pairs: 2, backlog: 2, sendRate: 2000 },
  seed: 1,
  model: 'watermark',
  parallelism: 2,
  clientsPerVu: 2,
  vus: 2,
  k6: { version: 'v1.8.1', image: 'grafana/k6:1.8.1' },
  servers: ['ws://127.0.0.1:8080'],
};

function files(name: string, config: unknown = goodConfig): { dir: string; config: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const path = join(work, `${name}-config.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return { dir, config: path };
}

const pg = ['--pg-url', 'postgres://127.0.0.1:1/none', '--no-store'];

describe('k6 collect refuses bad input by name', () => {
  it('usage: no database, no directory, no run config (exit 2)', () => {
    const { dir, config } = files('usage');
    const noDb = runCli(['k6', 'collect', dir, '--run-config', config], { CHATBENCH_PG_URL: '' });
    expect({ code: noDb.code, stderr: noDb.stderr.trim() }).toEqual({ code: 2, stderr: "chatbench: --pg-url: the run's database is needed (or set CHATBENCH_PG_URL)" });
    const badDb = runCli(['k6', 'collect', dir, '--run-config', config, '--pg-url', 'mysql://x']);
    expect(badDb.code).toBe(2);
    expect(badDb.stderr).toMatch(/--pg-url mysql:\/\/x: expected postgres:\/\//);
    const noDir = runCli(['k6', 'collect', join(work, 'nope'), '--run-config', config, ...pg]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/<dir> .*nope: no such directory/);
    const noConfig = runCli(['k6', 'collect', dir, '--run-config', join(work, 'none.json'), ...pg]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/--run-config .*none\.json: no such file/);
  });

  it('a run config that is not JSON, still holds the placeholder, or names an unknown model (exit 2, the key named)', () => {
    const notJson = files('not-json', '{"format": ');
    expect(runCli(['k6', 'collect', notJson.dir, '--run-config', notJson.config, ...pg])).toMatchObject({ code: 2, stderr: expect.stringMatching(/not-json-config\.json: not JSON/) });
    const placeholder = files('placeholder', { ...goodConfig, servers: ['<ws://chat-server-1:8080>'] });
    const result = runCli(['k6', 'collect', placeholder.dir, '--run-config', placeholder.config, ...pg]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/placeholder-config\.json: servers\.0: still the placeholder/);
    const zero = files('zero', { ...goodConfig, parallelism: 0 });
    expect(runCli(['k6', 'collect', zero.dir, '--run-config', zero.config, ...pg]).stderr).toMatch(/zero-config\.json: parallelism: /);
    const model = files('model', { ...goodConfig, model: 'nope' });
    expect(runCli(['k6', 'collect', model.dir, '--run-config', model.config, ...pg])).toMatchObject({ code: 2, stderr: expect.stringMatching(/model: unknown model "nope"; valid models: naive, watermark/) });
  });

  it('a directory without the coordinator record is a failed run, not stored (exit 1, the file named)', () => {
    const { dir, config } = files('no-record');
    const result = runCli(['k6', 'collect', dir, '--run-config', config, ...pg]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, RUN_FILES.coordinator)}: no such file`);
  });
});

describe('k6 coordinate and export refuse bad options by name', () => {
  it('coordinate: --pg-url without --out, a bad --pg-url, an unknown --model, no or a bad --server (exit 2)', () => {
    const base = ['k6', 'coordinate', 'vacation-backlog', '--set', 'pairs=2', '--port', '1'];
    expect(runCli([...base, '--pg-url', 'postgres://x/y']).stderr).toMatch(/--pg-url and --out go together/);
    expect(runCli([...base, '--pg-url', 'x', '--out', 'f.json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--pg-url x: expected postgres/) });
    expect(runCli([...base, '--pg-url', 'postgres://x/y', '--out', 'f.json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--pg-url needs --model/) });
    expect(runCli([...base, '--pg-url', 'postgres://x/y', '--out', 'f.json', '--model', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--model: unknown model "nope"/) });
    const withModel = [...base, '--pg-url', 'postgres://x/y', '--out', 'f.json', '--model', 'naive'];
    expect(runCli(withModel)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--pg-url needs --server for every node/) });
    expect(runCli([...withModel, '--server', 'node:8080'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--server node:8080: expected ws:\/\/host:port/) });
  });

  it('export: an unknown --model, a --server that is not ws:// (exit 2)', () => {
    const base = ['k6', 'export', 'vacation-backlog', '--parallelism', '2', '--out', join(work, 'export')];
    expect(runCli([...base, '--model', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--model: unknown model "nope"/) });
    expect(runCli([...base, '--server', 'http://127.0.0.1:8080'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--server http:\/\/127\.0\.0\.1:8080: expected ws:\/\/host:port/) });
  });
});

describe('a runner file as collect reads it', () => {
  const point = (metric: string, value: number, tags: Record<string, string> = {}, metadata?: Record<string, string>) =>
    JSON.stringify({ metric, type: 'Point', data: { time: '2026-01-01T00:00:00.000Z', value, tags, ...(metadata ? { metadata } : {}) } });

  it('reads the receipt log, failovers and VU markers; names an empty file, a cut one, a bad log', async () => {
    const file = join(work, 'runner.json');
    const lines = [
      point('chatbench_vu_start', 1, {}, { vu: '1', segment: '1/2:1' }),
      point('chatbench_log', 1, { kind: 'reads' }, { d: '3,6,0,5,1000' }),
      point('chatbench_log', 1, { kind: 'own' }, { d: '3,5,2,4,5' }),
      point('chatbench_log', 1, { kind: 'recoveries' }, { d: '10,20' }),
      point('chatbench_vu_start', 1, {}, { vu: '2', segment: '1/2:1' }),
      point('chatbench_vu_done', 1, {}, { vu: '1', segment: '1/2:1' }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const output = await readK6Output(file, 'watermark', 0);
    expect(output.receipts).toEqual({ reads: [3, 6, 0, 5, 1000], seen: [], own: [3, 5, 2, 4, 5] });
    expect(output.recoveries).toEqual([{ droppedAt: 10, syncedAt: 20 }]);
    expect({ segments: output.segments, unfinished: unfinishedVus(output) }).toEqual({ segments: ['1/2:1'], unfinished: [2] });
    writeFileSync(file, '');
    await expect(readK6Output(file, 'watermark', 0)).rejects.toThrow(`${file}: empty`);
    writeFileSync(file, `${lines[0]}\n${lines[1]!.slice(0, 30)}`);
    await expect(readK6Output(file, 'watermark', 0)).rejects.toThrow(`${file}: truncated (its last line is cut off)`);
    writeFileSync(file, `${point('chatbench_log', 1, { kind: 'reads' }, { d: '1,x' })}\n`);
    await expect(readK6Output(file, 'watermark', 0)).rejects.toThrow(`${file}:1: reads log holds a value that is not a number`);
    writeFileSync(file, `${point('chatbench_log', 1, { kind: 'other' }, { d: '1' })}\n`);
    await expect(readK6Output(file, 'watermark', 0)).rejects.toThrow(`${file}:1: unknown log kind "other"`);
  });

  it("takes a runner pod's arguments and env from the exported TestRun", () => {
    const yaml = [
      'spec:',
      '  arguments: --no-usage-report --summary-mode=disabled --system-tags=',
      '  runner:',
      '    env:',
      '      - name: POD_NAME',
      '        valueFrom:',
      '      - name: CHATBENCH_SERVER_URLS',
      '        value: "ws://a:1,ws://b:2"',
      '      - name: CHATBENCH_MODEL',
      '        value: naive',
    ].join('\n');
    expect(runnerSpec(yaml)).toEqual({ args: ['--no-usage-report', '--summary-mode=disabled', '--system-tags='], env: { CHATBENCH_SERVER_URLS: 'ws://a:1,ws://b:2', CHATBENCH_MODEL: 'naive' } });
  });
});
