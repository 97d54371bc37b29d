// Helpers for store tests: the fixture run, copies of it under other ids, and temp directories.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RunResults, Sample } from '../../analysis/results-schema.ts';

export const FIXTURE_DIR = 'test/fixtures/runs/vacation-small';

export function fixtureResults(): RunResults {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'results.json'), 'utf8')) as RunResults;
}

export function fixtureSamples(): Sample[] {
  const [, ...lines] = readFileSync(join(FIXTURE_DIR, 'samples.tsv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [model, metric, t, value, tags] = line.split('\t') as [string, string, string, string, string];
    return { model, metric, t_ms: Number(t), value_ms: Number(value), tags };
  });
}

// Registered once, while the test file is collected: a hook registered inside a running test
// would never run, and the directories would pile up.
const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp directory removed when the file's tests end (callable from tests and hooks alike). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `chatbench-${prefix}-`));
  created.push(dir);
  return dir;
}
