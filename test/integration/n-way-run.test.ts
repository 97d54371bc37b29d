// Several models side by side through the real CLI: four shipped models print one table with
// every ratio against the baseline consistent with results.json, and the report shows all four;
// the test folder's own model, registered only through CHATBENCH_MODEL_MODULES, runs through a
// scenario (in the CLI and in every server node it starts), is the baseline, and is in the report.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../analysis/results-schema.ts';
import { TEST_MODEL_MODULE } from '../setup/models.ts';
import { tempDir } from '../support/store-fixtures.ts';

const work = tempDir('n-way');

async function chatbench(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/chatbench.mjs', ...args], { env: { ...process.env, CI: 'true', ...env }, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

/** the run table's action rows, cut at the column boundaries its dashes mark */
function actionTable(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n');
  const headerAt = lines.findIndex((line) => line.startsWith('action '));
  const dashes = lines[headerAt + 1]!;
  const spans = [...dashes.matchAll(/-+/g)].map((match) => [match.index!, match.index! + match[0].length] as const);
  const cut = (line: string) => spans.map(([from, to]) => line.slice(from, to).trim());
  const header = cut(lines[headerAt]!);
  const rows: Record<string, string>[] = [];
  let action = '';
  for (const line of lines.slice(headerAt + 2)) {
    if (line.trim() === '') break;
    const row = Object.fromEntries(cut(line).map((cell, i) => [header[i]!, cell]));
    action = row.action || action;
    rows.push({ ...row, action });
  }
  return rows;
}

const perAction = (results: RunResults, model: string, action: string, figure: 'db.rows_written' | 'ws.events_pushed') => {
  const figures = results.models[model]!.actions[action as 'read']!;
  return figures[figure] / figures.count;
};

/** a printed ratio against the figures it came from: baseline per action over the model's */
function expectRatio(printed: string, baseline: number, model: number): void {
  if (model === 0) expect(printed).toBe(baseline === 0 ? '1.0x' : 'inf');
  else expect(Number(printed.replace(/x$/, ''))).toBeCloseTo(baseline / model, baseline / model >= 1 ? 1 : 2);
}

describe('chatbench run with several models', () => {
  it('prints four models side by side with ratios against the baseline, all consistent, and reports all four', { timeout: 300_000 }, async () => {
    const out = join(work, 'four');
    const report = join(work, 'four.html');
    const models = ['naive', 'watermark', 'write-behind', 'hybrid'];
    const result = await chatbench(['run', 'vacation-backlog', '--models', models.join(','), '--set', 'pairs=4', '--set', 'backlog=5', '--out', out, '--store-dir', join(work, 'store'), '--report', report]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(Object.keys(results.models)).toEqual(models);
    expect(results.baseline).toBe('naive');
    for (const [id, model] of Object.entries(results.models)) {
      expect(model.check.ticks_consistent && model.db.consistent, id).toBe(true);
      expect(result.stdout).toContain(`${id}: ticks consistent`);
    }

    const rows = actionTable(result.stdout);
    for (const action of ['send', 'deliver', 'read', 'reconnect', 'open']) {
      expect(rows.filter((row) => row.action === action).map((row) => row.model), action).toEqual(models);
    }
    expect(rows.filter((row) => row.action === 'flush').map((row) => row.model)).toEqual(['write-behind']);
    for (const row of rows) {
      const { action, model } = row as { action: string; model: string };
      expect(Number(row['rows/act']), `${action} ${model}`).toBeCloseTo(perAction(results, model, action, 'db.rows_written'), 2);
      if (model === 'naive') {
        expect(row['rows naive/model']).toBe('baseline');
        continue;
      }
      if (!results.models.naive!.actions[action as 'read']) continue;
      expectRatio(row['rows naive/model']!, perAction(results, 'naive', action, 'db.rows_written'), perAction(results, model, action, 'db.rows_written'));
      expectRatio(row['events naive/model']!, perAction(results, 'naive', action, 'ws.events_pushed'), perAction(results, model, action, 'ws.events_pushed'));
    }
    // the spec's headline, per model: a read of a 5-message backlog
    const read = Object.fromEntries(rows.filter((row) => row.action === 'read').map((row) => [row.model, [row['rows/act'], row['rows naive/model'], row['events naive/model']]]));
    expect(read).toEqual({
      naive: ['5.00', 'baseline', 'baseline'],
      watermark: ['1.00', '5.0x', '5.0x'],
      'write-behind': ['0.00', 'inf', '5.0x'],
      hybrid: ['5.00', '1.0x', '1.0x'],
    });

    const page = readFileSync(report, 'utf8').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(page).toContain('naive (baseline) watermark write-behind hybrid naive / watermark naive / write-behind naive / hybrid');
    expect(page).toContain('Opening a chat with a 5-message backlog costs naive 5 row writes, watermark 1, write-behind 0 and hybrid 5 (naive/watermark 5×, naive/write-behind naive only, naive/hybrid 1×).');
    expect(page).toMatch(/Receipt rows written per delivered or read ack, flushes included: naive 5, watermark 1, write-behind [\d.]+ and hybrid 5; write-behind wrote its acks in \d+ flushes/);
    for (const model of models) expect(page).toContain(`${model} : consistent`);
  });

  it('runs a model defined only in the test folder, through a scenario and the report, as the baseline', { timeout: 300_000 }, async () => {
    const env = { CHATBENCH_MODEL_MODULES: TEST_MODEL_MODULE };
    const listed = await chatbench(['list', '--json'], env);
    expect(JSON.parse(listed.stdout).models.map((model: { id: string }) => model.id)).toContain('ack-log');
    expect(JSON.parse((await chatbench(['list', '--json'])).stdout).models.map((model: { id: string }) => model.id)).not.toContain('ack-log');

    const out = join(work, 'test-model');
    const report = join(work, 'test-model.html');
    const result = await chatbench(['run', 'vacation-backlog', '--models', 'naive,ack-log', '--baseline', 'ack-log', '--set', 'pairs=3', '--set', 'backlog=4', '--out', out, '--store-dir', join(work, 'store'), '--report', report], env);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.baseline).toBe('ack-log');
    expect(results.command).toContain('--models naive,ack-log --baseline ack-log');
    const log = results.models['ack-log']!;
    expect(log.check.ticks_consistent && log.db.consistent).toBe(true);
    // an append-only log costs what a watermark costs here: one row per ack
    expect(log.actions.read).toMatchObject({ count: 3, 'db.rows_written': 3, 'ws.events_pushed': 3 });
    expect(log.db.tables?.ack_log?.ins).toBe(6);
    const read = actionTable(result.stdout).filter((row) => row.action === 'read');
    expect(read.map((row) => [row.model, row['rows ack-log/model']])).toEqual([['ack-log', 'baseline'], ['naive', '0.25x']]);
    const page = readFileSync(report, 'utf8').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(page).toContain('ack-log (baseline) naive ack-log / naive');
    expect(page).toContain('Opening a chat with a 4-message backlog costs ack-log 1 row writes and naive 4 (ack-log/naive 0.25×).');
  });
});
