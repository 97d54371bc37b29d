// Our own CI's thresholds: every file must load, and its exact counts must be the ones SPEC.md
// derives from the file's own params, so editing a param without its counts fails here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGateFile, type GateFile } from '../../../analysis/gates/thresholds.ts';

const DIR = 'gates';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/** SPEC.md's per-action costs for a scenario's params: metric -> [naive, watermark]. */
const EXPECTED: Record<string, (p: Record<string, number>) => Record<string, [number, number]>> = {
  'vacation-backlog': (p) => ({
    'read.rows_written_per_action': [p.backlog!, 1],
    'deliver.rows_written_per_action': [p.backlog!, 1],
    'read.events_pushed_per_action': [p.backlog!, 1],
  }),
  'receipts-toggle': (p) => ({
    'toggle.rows_written_per_action': [p.conversations!, 1],
    'open.rows_read_per_action': [1, 0],
  }),
  'mass-reconnect': (p) => ({
    'reconnect.events_pushed_per_action': [p.conversations! * p.changes!, p.conversations!],
  }),
};

function exactLimit(file: GateFile, model: string, metric: string): number[] {
  return file.thresholds
    .filter((t) => t.model === model && t.metric.name === metric && t.expression.op === '==')
    .flatMap((t) => (t.expression.limit.kind === 'number' ? [t.expression.limit.value] : []));
}

describe('gates/*.json', () => {
  it('covers the three scenarios with exact counts', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s names its scenario, states the spec counts for its params, and checks consistency', async (name) => {
    const file = await loadGateFile(join(DIR, name));
    expect(file.scenario).toBe(name.replace(/\.json$/, ''));
    expect(file.seed).toBeTypeOf('number');
    const expected = EXPECTED[file.scenario!]!(file.params as Record<string, number>);
    for (const [metric, [naive, watermark]] of Object.entries(expected)) {
      expect(exactLimit(file, 'naive', metric), `naive ${metric}`).toEqual([naive]);
      expect(exactLimit(file, 'watermark', metric), `watermark ${metric}`).toEqual([watermark]);
    }
    for (const model of ['naive', 'watermark']) {
      for (const check of ['check.ticks_consistent', 'db.consistent']) {
        const found = file.thresholds.find((t) => t.model === model && t.metric.name === check);
        expect(found?.expression.limit, `${model} ${check}`).toEqual({ kind: 'boolean', value: true });
      }
    }
  });
});
