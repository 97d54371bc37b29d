// Bad input to run, sweep and list: exit 2, a message naming the option and the valid choices,
// and nothing started (these return before any database or server exists).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('chatbench run/sweep: bad input exits 2 and names the option', () => {
  it.each([
    ['an unknown scenario', ['run', 'vacation'], /unknown scenario "vacation"; valid scenarios: vacation-backlog, group-1000, mass-reconnect, receipts-toggle/],
    ['an unknown parameter', ['run', 'vacation-backlog', '--set', 'pears=3'], /--set pears: unknown parameter of vacation-backlog; valid parameters: pairs, backlog, sendRate, returnWindow, leave/],
    ['a value out of range', ['run', 'vacation-backlog', '--set', 'backlog=0'], /--set backlog=0: out of range; backlog must be from 1 to 10000/],
    ['a value that is not a number', ['run', 'vacation-backlog', '--set', 'pairs=lots'], /--set pairs=lots: expected an integer/],
    ['a fraction where an integer belongs', ['run', 'group-1000', '--set', 'members=2.5'], /--set members=2.5: expected an integer/],
    ['a --set without =', ['run', 'vacation-backlog', '--set', 'pairs'], /--set "pairs": expected key=value/],
    ['an unknown model', ['run', 'vacation-backlog', '--models', 'naive,clever'], /--models: unknown model "clever"; valid models: naive, watermark, write-behind, hybrid$/m],
    ['a baseline that is not compared', ['run', 'vacation-backlog', '--models', 'naive,watermark', '--baseline', 'hybrid'], /--baseline hybrid: not among the models of this run \(naive, watermark\)/],
    ['a model option of an unknown model', ['run', 'vacation-backlog', '--model-opt', 'clever.flushMs=5'], /--model-opt clever.flushMs: unknown model "clever"; valid models: naive, watermark, write-behind, hybrid/],
    ['a model option of a model not in the run', ['run', 'vacation-backlog', '--model-opt', 'write-behind.flushMs=5'], /--model-opt write-behind.flushMs: write-behind is not among the models of this run \(naive, watermark\)/],
    ['an unknown model option', ['run', 'vacation-backlog', '--models', 'write-behind', '--model-opt', 'write-behind.flush=5'], /--model-opt write-behind.flush: unknown option of write-behind; valid options: flushMs/],
    ['an option of a model that has none', ['run', 'vacation-backlog', '--model-opt', 'naive.x=1'], /--model-opt naive.x: unknown option of naive; naive has no options/],
    ['a model option out of range', ['run', 'vacation-backlog', '--models', 'write-behind', '--model-opt', 'write-behind.flushMs=0'], /--model-opt write-behind.flushMs=0: out of range; flushMs must be from 1 to 600000 \(ms\)/],
    ['a model option that is not a number', ['run', 'vacation-backlog', '--models', 'hybrid', '--model-opt', 'hybrid.threshold=big'], /--model-opt hybrid.threshold=big: expected an integer from 1 to 100000 \(members\)/],
    ['a model option without a model', ['run', 'vacation-backlog', '--model-opt', 'flushMs=5'], /--model-opt "flushMs=5": expected <model>.<option>=<value>, e.g. write-behind.flushMs=500/],
    ['a sweep with a bad model option', ['sweep', 'vacation-backlog', '--vary', 'backlog=5,6', '--models', 'hybrid', '--model-opt', 'hybrid.threshold=-1'], /--model-opt hybrid.threshold=-1: out of range/],
    ['a model module that is not there', ['list'], /CHATBENCH_MODEL_MODULES: model module nowhere\/model.ts: cannot load/, { CHATBENCH_MODEL_MODULES: 'nowhere/model.ts' }],
    ['a model module that exports no model', ['list'], /CHATBENCH_MODEL_MODULES: model module scenarios\/plan.ts: no default export \(expected a ModelDefinition\)/, { CHATBENCH_MODEL_MODULES: 'scenarios/plan.ts' }],
    ['an unknown driver', ['run', 'vacation-backlog', '--driver', 'gatling'], /--driver: unknown driver "gatling"; valid drivers: node/],
    ['a bad seed', ['run', 'vacation-backlog', '--seed', 'x'], /--seed x: expected an integer/],
    ['too many nodes', ['run', 'vacation-backlog', '--nodes', '99'], /--nodes 99: expected an integer from 1 to 8/],
    ['an impossible combination', ['run', 'receipts-toggle', '--set', 'conversations=5', '--set', 'opens=9'], /--set opens=9: at most conversations \(5\)/],
    ['a sweep of an unknown parameter', ['sweep', 'vacation-backlog', '--vary', 'size=1,2'], /--vary size: unknown parameter of vacation-backlog/],
    ['a sweep with one value', ['sweep', 'vacation-backlog', '--vary', 'backlog=5'], /--vary backlog: give at least two comma-separated values/],
    ['a sweep with a bad value', ['sweep', 'vacation-backlog', '--vary', 'backlog=5,0'], /--set backlog=0: out of range/],
    ['an unknown command', ['runn', 'vacation-backlog'], /unknown command 'runn'/],
    ['an unknown option', ['run', 'vacation-backlog', '--fast'], /unknown option '--fast'/],
  ])('%s', (_label, args, message, env?: Record<string, string>) => {
    const result = runCli(args as string[], env);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('list --json describes every scenario with its parameters, and the models', () => {
    const result = runCli(['list', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.scenarios.map((scenario: { id: string }) => scenario.id)).toEqual(['vacation-backlog', 'group-1000', 'mass-reconnect', 'receipts-toggle']);
    expect(listing.scenarios[0].params.backlog).toMatchObject({ default: 50, min: 1, unit: 'messages' });
    expect(listing.models.map((model: { id: string }) => model.id)).toEqual(['naive', 'watermark', 'write-behind', 'hybrid']);
    expect(listing.defaultModels).toEqual(['naive', 'watermark']);
    expect(listing.models[2]).toMatchObject({ durability: 'write-behind', options: { flushMs: { default: 1000, min: 1, unit: 'ms' } } });
    expect(listing.models[2].design).toContain('Discord');
    expect(listing.models[3]).toMatchObject({ durability: 'write-through', options: { threshold: { default: 100 } } });
    expect(listing.models[3].design).toContain('Telegram');
  });

  it('list describes each model, the real design it stands for, and its options', () => {
    const result = runCli(['list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('models (default: naive,watermark):');
    expect(result.stdout).toContain('  write-behind: ');
    expect(result.stdout).toContain("    stands for: Discord's read states");
    expect(result.stdout).toContain('    acks reach Postgres: in a later batched flush (a crash loses the window)');
    expect(result.stdout).toMatch(/--model-opt hybrid.threshold +default 100 1..100000 members/);
  });
});

describe('chatbench run: hostile or mistyped input is one line naming the option, and nothing runs', () => {
  it.each([
    ['a scenario named like an Object member', ['run', 'toString'], 2, /^chatbench: unknown scenario "toString"/],
    ['a model named constructor', ['run', 'vacation-backlog', '--models', 'constructor'], 2, /^chatbench: --models: unknown model "constructor"/],
    ['a driver named constructor', ['run', 'vacation-backlog', '--driver', 'constructor'], 2, /^chatbench: --driver: unknown driver "constructor"/],
    ['a parameter named constructor', ['run', 'vacation-backlog', '--set', 'constructor=1'], 2, /^chatbench: --set constructor: unknown parameter of vacation-backlog/],
    ['a hexadecimal number', ['run', 'vacation-backlog', '--set', 'pairs=0x10'], 2, /^chatbench: --set pairs=0x10: expected an integer from 1 to \d+ \(sender\/recipient pairs\), in decimal/],
    ['a file as the run directory', ['run', 'vacation-backlog', '--out', '/etc/hostname'], 2, /^chatbench: --out \/etc\/hostname: exists and is not a directory/],
    ['a run directory under /proc', ['run', 'vacation-backlog', '--out', '/proc/x'], 2, /^chatbench: --out \/proc\/x: not a writable directory/],
    ['a Postgres URL that is not one', ['run', 'vacation-backlog', '--pg-url', 'not a url'], 2, /^chatbench: --pg-url "not a url": expected postgres:\/\//],
  ])('%s', (_label, args, code, message) => {
    const result = runCli(args as string[]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
  });

  it('a Postgres that is not listening: one line naming --pg-url, exit 1', async () => {
    const { freePort } = await import('../../reference-server/db/postgres.ts');
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const out = join(mkdtempSync(join(tmpdir(), 'chatbench-closed-')), 'run');
    const result = runCli(['run', 'vacation-backlog', '--pg-url', url, '--no-store', '--out', out]);
    expect(result.stderr).toMatch(/^chatbench: --pg-url: cannot reach Postgres at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres: .*ECONNREFUSED/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    // the run directory made for a run that never ran goes again
    expect(existsSync(out)).toBe(false);
  });
});
