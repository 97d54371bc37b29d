import { describe, expect, it } from 'vitest';
import { parseLimit, renderRuns } from '../../cli/commands/runs.ts';
import { UsageError } from '../../cli/exit-codes.ts';
import { storeOptionsFrom } from '../../cli/store-options.ts';
import { renderRows } from '../../cli/text-table.ts';

describe('store commands: text output and option checks', () => {
  it('aligns rows, numbers to the right', () => {
    expect(renderRows([{ model: 'naive', n: 20 }, { model: 'watermark', n: 4 }])).toBe(
      ['model       n', '---------  --', 'naive      20', 'watermark   4', ''].join('\n'),
    );
    expect(renderRows([])).toBe('(no rows)\n');
  });

  it('lists runs, or says how to get one', () => {
    expect(renderRuns([])).toMatch(/no runs stored yet/);
    const text = renderRuns([{ runId: 'r1', scenario: 's', startedAt: '2026-11-23T00:00:00.000Z', params: { a: 1 }, seed: 1, models: ['naive'], gitSha: 'abcdef1234567890', driver: 'node' }]);
    expect(text).toContain('r1');
    expect(text).toContain('a=1');
    expect(text).toContain('abcdef123456 ');
  });

  it.each([['0'], ['-1'], ['1.5'], ['ten'], ['']])('rejects --limit %j', (value) => {
    expect(() => parseLimit(value)).toThrow(UsageError);
    expect(() => parseLimit(value)).toThrow('--limit must be a positive integer');
  });

  it('names the flag when a store option is wrong', () => {
    expect(() => storeOptionsFrom({ clickhouseUrl: 'nope' })).toThrow(/--clickhouse-url "nope" is not a URL/);
    expect(() => storeOptionsFrom({ clickhouseUrl: 'http://h', storeDir: 'x' })).toThrow(/--store-dir applies to the embedded chDB store only/);
    expect(storeOptionsFrom({ storeDir: 'x' })).toEqual({ clickhouseUrl: undefined, dataDir: 'x' });
  });
});
