// What a user types reaches registries and parameter specs only as their own entries (never
// Object.prototype's), numbers only in decimal, durations with a unit converted to the
// parameter's own unit, and a run directory that cannot be written is refused before the run.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateRunOptions } from '../../cli/run-scenario.ts';
import { prepareOutDir } from '../../cli/out-dir.ts';
import { UsageError } from '../../cli/exit-codes.ts';
import { resolveModelOptions } from '../../reference-server/models/options.ts';
import { ParamError, resolveParams } from '../../scenarios/define.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const vacation = SCENARIOS['vacation-backlog']!;
const reconnect = SCENARIOS['mass-reconnect']!;

describe('lookups by a user string', () => {
  it.each([
    ['a scenario named like an Object member', { scenario: 'toString' }, /unknown scenario "toString"/],
    ['a scenario named __proto__', { scenario: '__proto__' }, /unknown scenario "__proto__"/],
    ['a model named constructor', { scenario: 'vacation-backlog', models: ['constructor'] }, /--models: unknown model "constructor"/],
    ['a driver named constructor', { scenario: 'vacation-backlog', driver: 'constructor' }, /--driver: unknown driver "constructor"/],
    ['a parameter named constructor', { scenario: 'vacation-backlog', sets: ['constructor=1'] }, /--set constructor: unknown parameter of vacation-backlog/],
    ['a parameter named hasOwnProperty', { scenario: 'vacation-backlog', sets: ['hasOwnProperty=1'] }, /--set hasOwnProperty: unknown parameter/],
    ['a model option named constructor', { scenario: 'vacation-backlog', models: ['write-behind'], modelOpts: ['write-behind.constructor=1'] }, /--model-opt write-behind.constructor: unknown option of write-behind/],
    ['a Postgres URL that is no URL', { scenario: 'vacation-backlog', pgUrl: 'not a url' }, /--pg-url "not a url": expected postgres:\/\//],
    ['a Postgres URL of another scheme', { scenario: 'vacation-backlog', pgUrl: 'http://127.0.0.1:5432/x' }, /--pg-url "http:\/\/127.0.0.1:5432\/x": expected postgres:\/\//],
  ])('refuses %s with a usage error naming the option', (_label, options, message) => {
    expect(() => validateRunOptions(options)).toThrow(UsageError);
    expect(() => validateRunOptions(options)).toThrow(message);
  });

  it('refuses a model option of an Object member through the model options too', () => {
    expect(() => resolveModelOptions(['hybrid.toString=1'], ['hybrid'])).toThrow(/unknown option of hybrid/);
  });
});

describe('numbers and durations', () => {
  it.each(['0x10', '0b1', '0o7', '1e3', 'Infinity', '', ' ', '1_000', '+', '.'])('refuses pairs=%j: decimal only', (raw) => {
    expect(() => resolveParams(vacation, [`pairs=${raw}`])).toThrow(ParamError);
  });

  it('reads decimals as written', () => {
    expect(resolveParams(vacation, ['pairs=16', 'backlog=007'])).toMatchObject({ pairs: 16, backlog: 7 });
    expect(resolveParams(reconnect, ['window=2.5'])).toMatchObject({ window: 2.5 });
  });

  it.each([
    ['2s', 2],
    ['1500ms', 1.5],
    ['1m', 60],
    ['0.5m', 30],
  ])('converts window=%s into the parameter unit (s): %d', (raw, seconds) => {
    expect(resolveParams(reconnect, [`window=${raw}`]).window).toBe(seconds);
  });

  it('converts into a parameter in ms, and keeps integer and range checks after converting', () => {
    expect(resolveModelOptions(['write-behind.flushMs=2s'], ['write-behind'])['write-behind']!.flushMs).toBe(2000);
    expect(() => resolveModelOptions(['write-behind.flushMs=0.5ms'], ['write-behind'])).toThrow(/expected an integer/);
    expect(() => resolveParams(reconnect, ['window=11m'])).toThrow(/out of range/);
  });

  it('refuses a duration for a parameter that is not one', () => {
    expect(() => resolveParams(vacation, ['pairs=2s'])).toThrow('--set pairs=2s: pairs is not a duration (sender/recipient pairs); give a plain number');
  });
});

describe('the run directory, checked before the run', () => {
  const root = mkdtempSync(join(tmpdir(), 'chatbench-out-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a file in the way, a directory that cannot be made, and a read-only place', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    await expect(prepareOutDir(file, '--out')).rejects.toThrow(`--out ${file}: exists and is not a directory`);
    await expect(prepareOutDir(join(file, 'below'), '--out')).rejects.toThrow(/^--out .*\/file\/below: not a writable directory \(ENOTDIR\)/);
    await expect(prepareOutDir('/proc/chatbench-x', '--out')).rejects.toThrow(/^--out \/proc\/chatbench-x: not a writable directory/);
    await expect(prepareOutDir('/proc/self', '--out')).rejects.toThrow(/^--out \/proc\/self: not a writable directory/);
  });

  it('makes a missing directory, leaves nothing of its probe, and removes it again when unused', async () => {
    const dir = join(root, 'a', 'b');
    const prepared = await prepareOutDir(dir, '--out');
    expect(readdirSync(dir)).toEqual([]);
    await prepared.discardIfUnused();
    expect(readdirSync(join(root, 'a'))).toEqual([]);
  });
});
