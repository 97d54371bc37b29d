// Model options from --model-opt, and models registered from a module: validated at the
// boundary, every message naming the option and the valid choices.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOptions, modelOptionFlags, ModelOptionError, resolveModelOptions } from '../../../reference-server/models/options.ts';
import { loadedModelModules, loadModelModule, MODELS, ModelModuleError } from '../../../reference-server/models/registry.ts';

describe('model options', () => {
  it('fills defaults for every model of the run and applies overrides, the last one winning', () => {
    expect(resolveModelOptions([], ['naive', 'write-behind', 'hybrid'])).toEqual({ naive: {}, 'write-behind': { flushMs: 1000 }, hybrid: { threshold: 100 } });
    expect(resolveModelOptions(['write-behind.flushMs=250', 'write-behind.flushMs=500', 'hybrid.threshold=3'], ['write-behind', 'hybrid'])).toEqual({
      'write-behind': { flushMs: 500 },
      hybrid: { threshold: 3 },
    });
  });

  it.each([
    ['flushMs=5', /expected <model>.<option>=<value>/],
    ['write-behind.flushMs', /expected <model>.<option>=<value>/],
    ['nobody.flushMs=5', /unknown model "nobody"; valid models: naive, watermark, write-behind, hybrid/],
    ['hybrid.threshold=5', /hybrid is not among the models of this run \(write-behind\)/],
    ['write-behind.flushms=5', /unknown option of write-behind; valid options: flushMs/],
    ['write-behind.flushMs=', /expected an integer from 1 to 600000 \(ms\)/],
    ['write-behind.flushMs=1.5', /expected an integer/],
    ['write-behind.flushMs=600001', /out of range; flushMs must be from 1 to 600000/],
    ['write-behind.flushMs=1e3x', /expected an integer/],
  ])('rejects %s', (entry, message) => {
    expect(() => resolveModelOptions([entry], ['write-behind'])).toThrow(ModelOptionError);
    expect(() => resolveModelOptions([entry], ['write-behind'])).toThrow(message);
  });

  it('reproduces only what differs from the defaults', () => {
    expect(modelOptionFlags({ 'write-behind': { flushMs: 1000 }, hybrid: { threshold: 7 } })).toEqual(['--model-opt hybrid.threshold=7']);
  });

  it('has a default inside its range for every option of every model', () => {
    for (const [id, model] of Object.entries(MODELS)) {
      for (const [name, spec] of Object.entries(model.options)) {
        expect(spec.min <= spec.default && spec.default <= spec.max, `${id}.${name}`).toBe(true);
        expect(defaultOptions(id)[name]).toBe(spec.default);
      }
    }
  });
});

describe('model modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatbench-model-module-'));
  const module = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('registers the test folder\'s model and remembers the path for server nodes', async () => {
    expect(MODELS['ack-log']?.id).toBe('ack-log');
    expect(loadedModelModules().some((path) => path.endsWith('test/models/ack-log/ack-log.ts'))).toBe(true);
    // loading it again is a no-op
    await loadModelModule('test/models/ack-log/ack-log.ts');
    expect(loadedModelModules().filter((path) => path.endsWith('ack-log.ts'))).toHaveLength(1);
  });

  it.each([
    ['no default export', 'export const x = 1;', /no default export/],
    ['a bad id', "export default { id: 'Bad Id' };", /model id "Bad Id": expected lower-case letters/],
    ['a missing design', "export default { id: 'x-model', description: 'd', migrationsDir: '/tmp' };", /"design" must be a non-empty string/],
    ['no create', "export default { id: 'x-model', description: 'd', design: 'd', migrationsDir: '/tmp', traits: () => ({}) };", /"create" must be a function/],
    ['a taken id', "export default { id: 'naive', description: 'd', design: 'd', migrationsDir: '/tmp', traits: () => ({}), create: () => ({}), options: {}, capabilities: {}, client: { cachesSettings: true } };", /a model "naive" is already registered/],
  ])('refuses a module with %s', async (_label, text, message) => {
    await expect(loadModelModule(module(`${_label.replace(/\W/g, '-')}.mjs`, text))).rejects.toThrow(message);
  });

  it('refuses a module it cannot load, naming the path', async () => {
    await expect(loadModelModule(join(dir, 'missing.ts'))).rejects.toThrow(ModelModuleError);
  });
});
