// Children start from a bundle of their TypeScript: it must run what the sources say now (rebuilt
// when one changes), and each module must keep its own import.meta.url (models find their SQL
// migrations beside their source).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freshBundle } from '../../reference-server/child-bundle.ts';

describe('child bundles', () => {
  it('keeps each module its own URL, and rebuilds when a source it came from changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatbench-bundle-'));
    const entry = join(dir, 'entry.ts');
    const lib = join(dir, 'lib', 'where.ts');
    writeFileSync(entry, "import { where, word } from './lib/where.ts';\nconst n: number = 1;\nconsole.log(JSON.stringify({ where, word, n }));\n");
    execFileSync('mkdir', ['-p', join(dir, 'lib')]);
    writeFileSync(lib, "export const where = new URL('.', import.meta.url).href;\nexport const word = 'first';\n");
    const run = async () => JSON.parse(execFileSync(process.execPath, [await freshBundle(entry)], { encoding: 'utf8' })) as { where: string; word: string };
    expect(await run()).toEqual({ where: pathToFileURL(join(dir, 'lib')).href + '/', word: 'first', n: 1 });
    // same length, so only the modification time tells the change
    writeFileSync(lib, "export const where = new URL('.', import.meta.url).href;\nexport const word = 'other';\n");
    const later = new Date(Date.now() + 5000);
    (await import('node:fs')).utimesSync(lib, later, later);
    expect((await run()).word).toBe('other');
  });

  it('gives two checkouts sharing one cache (node_modules symlinked, a worktree) bundles of their own', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'chatbench-bundle-cache-'));
    const checkout = (word: string) => {
      const root = mkdtempSync(join(tmpdir(), 'chatbench-checkout-'));
      writeFileSync(join(root, 'entry.ts'), `console.log(${JSON.stringify(word)});\n`);
      return root;
    };
    const first = checkout('first checkout');
    const second = checkout('second checkout');
    const run = async (root: string) => execFileSync(process.execPath, [await freshBundle(join(root, 'entry.ts'), { root, cacheDir })], { encoding: 'utf8' }).trim();
    expect(await run(first)).toBe('first checkout');
    // the same path inside each checkout: named by path alone, the second took the first's bundle,
    // whose sources had not changed, for fresh
    expect(await run(second)).toBe('second checkout');
    expect(await run(first)).toBe('first checkout');
  });
});
