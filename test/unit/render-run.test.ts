// The run table on the hand-made fixture: one line per model and action, ratios against the
// baseline (the first model unless the run says otherwise), and what a killed node cost.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResults, type RunResults } from '../../analysis/results-schema.ts';
import { renderRun, runIsConsistent } from '../../cli/render-run.ts';

const fixture = (): RunResults => parseResults(JSON.parse(readFileSync('test/fixtures/runs/vacation-small/results.json', 'utf8')));

describe('renderRun', () => {
  it('prints each model per action with its ratio against the first model', () => {
    const text = renderRun(fixture());
    expect(text).toContain('baseline=naive');
    expect(text).toMatch(/^read +naive +4 +5\.00 +6\.00 +5\.00 +baseline +baseline$/m);
    expect(text).toMatch(/^ +watermark +4 +1\.00 +1\.00 +1\.00 +5\.0x +5\.0x$/m);
    expect(text).toContain('naive: ticks consistent (20 checked)');
    expect(text).toContain('receipt rows per ack 5.00');
  });

  it('compares against another baseline, shows ratios below 1, a model-only action and a killed node', () => {
    const results = fixture();
    const watermark = results.models.watermark!;
    results.baseline = 'watermark';
    results.models.third = {
      ...watermark,
      options: { flushMs: 500 },
      actions: { ...watermark.actions, read: { ...watermark.actions.read!, 'db.rows_written': 0 }, flush: { count: 2, 'db.statements': 2, 'db.rows_written': 8, 'db.rows_read': 0, 'ws.events_pushed': 0, 'ws.bytes_pushed': 0 } },
      check: { ...watermark.check, acked_receipts_lost: 3, acked_receipts_checked: 20 },
      recovery: { killed_node: 'node-2', pending_at_kill: { marks: 1, receipts: 5 } },
    };
    const text = renderRun(results);
    expect(text).toContain('baseline=watermark');
    expect(text).toMatch(/^read +watermark +4 +1\.00 .* baseline +baseline$/m);
    expect(text).toMatch(/^ +naive +4 +5\.00 .* 0\.2x +0\.2x$/m);
    expect(text).toMatch(/^ +third +4 +0\.00 .* inf +1\.0x$/m);
    expect(text).toMatch(/^flush +third +2 +4\.00 +1\.00 +0\.00 +- +-$/m);
    expect(text).toContain('third: ticks consistent');
    expect(text).toContain('options flushMs=500');
    expect(text).toContain('  node node-2 killed: acknowledged receipts lost 3 (of 20 checked); it held 5 receipts in 1 marks not yet in Postgres');
    expect(runIsConsistent(results)).toBe(true);
  });
});
