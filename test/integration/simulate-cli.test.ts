// chatbench simulate from the command line: the design's table in the output, byte-identical
// output for the same inputs and seed, bad workloads refused on one line naming the key with
// exit 2 and nothing stored, predict without any database library, and a simulation reported on
// its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionFiguresSchema } from '../../analysis/results-schema.ts';
import whatsapp from '../../workloads/whatsapp-500m.ts';
import { runCli } from '../support/cli.ts';

const CALIBRATION = 'test/fixtures/calibration/reference.json';
const temp = () => mkdtempSync(join(tmpdir(), 'chatbench-simulate-'));

describe('chatbench simulate', () => {
  it("prints the design's back-of-envelope table and every model's simulated figures, labelled", () => {
    // the shipped calibration: it covers every shipped model, so nothing is left out with a warning
    const result = runCli(['simulate', '--no-store']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const shown of ['1.16 million messages/s', '3.47 million messages/s', '50 million connections', '500 GB', '100 servers', '15 TB/day', '5.47 PB/year', '5 PB/day', '174 MB/s', '57.9 GB/s']) {
      expect(result.stdout).toContain(shown);
    }
    expect(result.stdout).toContain("Back of the envelope [assumed: the workload's assumptions only, nothing measured]");
    expect(result.stdout).toContain('Per model [simulated: costs measured per action on the calibration machine x the assumed workload]');
    expect(result.stdout).toMatch(/statements +watermark/);
  });

  it('gives byte-identical output for the same inputs and seed, and different output for another seed', () => {
    const first = runCli(['simulate', '--calibration', CALIBRATION, '--no-store', '--json', '--seed', '4']);
    const second = runCli(['simulate', '--calibration', CALIBRATION, '--no-store', '--json', '--seed', '4']);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const text = [1, 2].map(() => runCli(['simulate', '--calibration', CALIBRATION, '--no-store', '--seed', '4']).stdout);
    expect(text[1]).toBe(text[0]);
    const other = runCli(['simulate', '--calibration', CALIBRATION, '--no-store', '--json', '--seed', '5']);
    expect(JSON.parse(other.stdout).simulationId).not.toBe(JSON.parse(first.stdout).simulationId);
  });

  it('labels every figure that rests on an assumption in the JSON', () => {
    const simulation = JSON.parse(runCli(['simulate', '--calibration', CALIBRATION, '--no-store', '--json']).stdout);
    for (const figure of Object.values(simulation.backOfEnvelope) as Array<{ basis: string }>) expect(figure.basis).toBe('assumed');
    for (const input of Object.values(simulation.workload.inputs) as Array<{ basis: string; why: string }>) {
      expect(['design', 'ours']).toContain(input.basis);
      expect(input.why).not.toBe('');
    }
    expect(Object.keys(simulation.legend)).toEqual(expect.arrayContaining(['assumed', 'simulated', 'measured']));
    for (const model of simulation.models) expect(['measured', 'assumed']).toContain(simulation.perModel[model].databaseNodes.capacityBasis);
  });

  it('stores the simulation once and reports it on its own', () => {
    const dir = temp();
    const store = join(dir, 'store');
    const stored = runCli(['simulate', '--calibration', CALIBRATION, '--store-dir', store]);
    expect(stored.code).toBe(0);
    expect(stored.stdout).toContain('stored in the metrics store\n');
    const id = /simulation (sim-[0-9a-f]{16})/.exec(stored.stdout)![1]!;
    expect(runCli(['simulate', '--calibration', CALIBRATION, '--store-dir', store]).stdout).toContain('stored in the metrics store (already there)');
    const listed = runCli(['query', 'SELECT simulation_id, workload FROM simulations', '--store-dir', store, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([{ simulation_id: id, workload: 'whatsapp-500m' }]);
    const file = join(dir, 'report.html');
    const report = runCli(['report', id, '--store-dir', store, '-o', file]);
    expect(report.code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('At 500M daily users (simulated)');
    expect(page).toContain('data-chart="sensitivity"');
    expect(page).toContain("Content-Security-Policy");
    expect(page).not.toMatch(/<script/i);
  });

  describe('bad workload files: one line naming the key, exit 2, nothing stored', () => {
    const cases: Array<[string, (w: Record<string, unknown>) => void, string]> = [
      ['an unknown key', (w) => (w.dailyActiveUser = 1), 'workload bad.json: dailyActiveUser: unknown key; valid keys:'],
      ['shares that do not sum to 1', (w) => ((w.backlogLengths as { value: unknown }).value = { 1: 0.5, 5: 0.2 }), 'workload bad.json: backlogLengths: shares sum to 0.7, not 1'],
      ['a negative rate', (w) => (w.togglesPerUserPerYear = -1), 'workload bad.json: togglesPerUserPerYear: must not be negative, got -1'],
      ['a model that is not registered', (w) => (w.models = ['naive', 'nosuchmodel']), 'workload bad.json: models: unknown model "nosuchmodel"; valid models:'],
    ];
    for (const [name, change, message] of cases) {
      it(name, () => {
        const dir = temp();
        const workload = JSON.parse(JSON.stringify(whatsapp)) as Record<string, unknown>;
        change(workload);
        writeFileSync(join(dir, 'bad.json'), JSON.stringify(workload));
        const store = join(dir, 'store');
        const result = spawnSync(process.execPath, [join(process.cwd(), 'bin/chatbench.mjs'), 'simulate', '--workload', 'bad.json', '--calibration', join(process.cwd(), CALIBRATION), '--store-dir', store], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
        expect(result.status).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stderr).toContain(`chatbench: ${message}`);
        expect(existsSync(store)).toBe(false);
      });
    }

    it('a TypeScript workload with a bad key', () => {
      const dir = temp();
      writeFileSync(join(dir, 'bad.ts'), `export default { ...${JSON.stringify(whatsapp)}, peakToAverage: { value: -3, basis: 'ours', why: 'x' } };\n`);
      const result = runCli(['simulate', '--workload', join(dir, 'bad.ts'), '--calibration', CALIBRATION, '--store-dir', join(dir, 'store')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^chatbench: workload .*bad\.ts: peakToAverage: must not be negative, got -3\n$/);
      expect(existsSync(join(dir, 'store'))).toBe(false);
    });

    it('a workload file that is missing or not a workload', () => {
      expect(runCli(['simulate', '--workload', 'no/such/file.json', '--calibration', CALIBRATION]).stderr).toBe('chatbench: --workload no/such/file.json: no such file\n');
      const dir = temp();
      writeFileSync(join(dir, 'w.txt'), '{}');
      expect(runCli(['simulate', '--workload', join(dir, 'w.txt'), '--calibration', CALIBRATION]).code).toBe(2);
    });

    it('bad options', () => {
      expect(runCli(['simulate', '--calibration', CALIBRATION, '--seed', 'x']).stderr).toBe('chatbench: --seed x: expected an integer\n');
      expect(runCli(['simulate', '--calibration', CALIBRATION, '--models', 'naive,nosuch']).code).toBe(2);
      expect(runCli(['simulate', '--calibration', CALIBRATION, '--models', 'naive', '--baseline', 'watermark']).stderr).toContain('--baseline watermark: not among the simulated models (naive)');
      expect(runCli(['simulate', '--calibration', CALIBRATION, '--db-node-capacity', '-5']).stderr).toContain('--db-node-capacity -5: expected statements per second');
      expect(runCli(['simulate', '--calibration', 'no/such/calibration.json']).code).toBe(2);
    });
  });
});

describe('chatbench simulate predict', () => {
  it('prints the results contract\'s per-action block, loading no database library', () => {
    const result = spawnSync(process.execPath, ['--import', './test/support/forbid-databases.mjs', 'bin/chatbench.mjs', 'simulate', 'predict', 'vacation-backlog', '--set', 'pairs=9', '--set', 'backlog=33', '--json'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const prediction = JSON.parse(result.stdout);
    for (const model of ['naive', 'watermark']) {
      for (const figures of Object.values(prediction.models[model].actions)) expect(() => actionFiguresSchema.parse(figures)).not.toThrow();
      expect(prediction.models[model].actions.read.count).toBe(9);
    }
    expect(prediction.models.naive.actions.read['db.rows_written']).toBe(9 * 33);
    expect(prediction.models.watermark.actions.read['db.rows_written']).toBe(9);
  });

  it('the forbidding hook itself works: a command that opens the store is stopped', () => {
    const result = spawnSync(process.execPath, ['--import', './test/support/forbid-databases.mjs', 'bin/chatbench.mjs', 'runs', '--store-dir', join(temp(), 'store')], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(result.status).not.toBe(0);
    // the store module loads both backends; whichever resolves first is stopped
    expect(result.stderr).toMatch(/forbidden: (chdb|@clickhouse\/client) was loaded/);
  });

  it('refuses bad input by name with exit 2', () => {
    const cases: Array<[string[], string]> = [
      [['nosuch'], 'unknown scenario "nosuch"'],
      [['vacation-backlog', '--set', 'pairs=0'], '--set pairs=0: out of range'],
      [['vacation-backlog', '--set', 'nope=1'], '--set nope: unknown parameter'],
      // combinations each within range that no plan can be built from, refused without a plan
      [['receipts-toggle', '--set', 'conversations=5', '--set', 'opens=9'], '--set opens=9: at most conversations (5)'],
      [['mass-reconnect', '--set', 'users=10', '--set', 'conversations=6', '--set', 'idle=5'], '--set conversations=6 plus idle=5: at most users (10)'],
      [['vacation-backlog', '--models', 'naive,nosuch'], '--models: unknown model "nosuch"'],
      [['vacation-backlog', '--seed', '-1'], '--seed -1: expected a non-negative integer'],
      [['vacation-backlog', '--calibration', 'no/such.json'], '--calibration no/such.json: no such file'],
    ];
    for (const [args, message] of cases) {
      const result = runCli(['simulate', 'predict', ...args, ...(args.includes('--calibration') ? [] : ['--calibration', CALIBRATION])]);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(message);
    }
  });

  it('a calibration file that is not one fails with one line', () => {
    const file = join(temp(), 'c.json');
    writeFileSync(file, '{"kind":"something"}');
    const result = runCli(['simulate', 'predict', 'vacation-backlog', '--calibration', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`chatbench: ${file} is not a chatbench calibration (expected "kind": "chatbench-calibration"); make one with chatbench simulate calibrate\n`);
  });
});
