import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineThresholds, loadGateFile, parseGateFile, parseGateJson, ThresholdsError } from '../../../analysis/gates/thresholds.ts';

const dir = mkdtempSync(join(tmpdir(), 'gate-thresholds-'));

describe('thresholds files', () => {
  it('reads the bare form into one threshold per expression, each metric resolved to its kind', () => {
    const file = parseGateJson(
      JSON.stringify({
        naive: { 'latency.receipt': ['p99 < 100', 'p(95) <= 50'], 'read.rows_written_per_action': ['== 20'] },
        watermark: { 'reconnect.ws.events_pushed_per_action': ['<= 3'], 'db.consistent': ['== true'] },
      }),
      't.json',
    );
    expect(file.scenario).toBeUndefined();
    expect(file.thresholds.map((t) => [t.model, t.metric.kind, t.expression.quantile, t.expression.op])).toEqual([
      ['naive', 'latency', 'p99', '<'],
      ['naive', 'latency', 'p95', '<='],
      ['naive', 'perAction', undefined, '=='],
      ['watermark', 'perAction', undefined, '<='],
      ['watermark', 'check', undefined, '=='],
    ]);
    expect(file.thresholds[2]!.metric).toMatchObject({ action: 'read', figure: 'db.rows_written' });
    expect(file.thresholds[3]!.metric).toMatchObject({ action: 'reconnect', figure: 'ws.events_pushed' });
  });

  it('reads the wrapper form with what to run', () => {
    const file = parseGateFile(
      { scenario: 'vacation-backlog', params: { pairs: 10, backlog: 20 }, seed: 7, thresholds: { naive: { 'db.consistent': ['== true'] } } },
      'w.json',
    );
    expect(file).toMatchObject({ scenario: 'vacation-backlog', params: { pairs: 10, backlog: 20 }, seed: 7 });
    expect(file.thresholds).toHaveLength(1);
  });

  it('parses baseline expressions with their arithmetic', () => {
    const [relative, exact, plus] = parseGateFile(
      { naive: { 'latency.receipt': ['p99 < baseline * 1.10'], 'read.rows_written_per_action': ['== baseline', '<= baseline + 2'] } },
      'b.json',
    ).thresholds;
    expect(relative!.expression.limit).toEqual({ kind: 'baseline', arithmetic: { op: '*', operand: 1.1 } });
    expect(exact!.expression.limit).toEqual({ kind: 'baseline' });
    expect(plus!.expression.limit).toEqual({ kind: 'baseline', arithmetic: { op: '+', operand: 2 } });
  });

  // Each case: the file text, then what the error must say (file:line and the culprit).
  it.each([
    ['a malformed expression', '{\n  "naive": {\n    "latency.receipt": [\n      "p99 << 100"\n    ]\n  }\n}', 't.json:4: "p99 << 100": expected <op> <number>'],
    ['a latency without a quantile', '{\n "naive": {\n  "latency.receipt": ["< 100"]\n }\n}', 't.json:3: "< 100": expected <p50|p95|p99|max>'],
    ['an unknown quantile', '{\n "naive": {\n  "latency.receipt": [\n   "p50 < 1",\n   "p90 < 100"]\n }\n}', 't.json:5: "p90 < 100": unknown aggregate "p90"'],
    ['a quantile on a count', '{"naive": {\n"read.rows_written_per_action": ["p99 == 1"]}}', 't.json:2: "p99 == 1": "p99" applies to latency metrics only'],
    ['a missing number', '{"naive": {\n"read.rows_written_per_action": ["=="]}}', 't.json:2: "==": expected <op> <number>'],
    ['a word for a number', '{"naive": {\n"read.rows_written_per_action": ["== twenty"]}}', 't.json:2: "== twenty": expected <op> <number>'],
    ['a bad baseline factor', '{"naive": {\n"latency.receipt": ["p99 < baseline * x"]}}', 't.json:2: "p99 < baseline * x": expected <op> <number>'],
    ['a check compared to a number', '{"naive": {\n"db.consistent": ["== 1"]}}', 't.json:2: "== 1": expected == true or == false'],
    ['a check with another operator', '{"naive": {\n"check.ticks_consistent": ["<= true"]}}', 't.json:2: "<= true": expected == true or == false'],
    ['an empty expression', '{"naive": {\n"db.consistent": ["  "]}}', 't.json:2: "  ": empty expression'],
    ['an unknown metric', '{"naive": {\n\n"latency.receipts": ["p99 < 1"]}}', 't.json:3: "latency.receipts": unknown metric'],
    ['an unknown action', '{"naive": {\n"fly.rows_written_per_action": ["== 1"]}}', 't.json:2: "fly.rows_written_per_action": unknown action "fly"'],
    ['an unknown figure', '{"naive": {\n"read.rows_writen_per_action": ["== 1"]}}', 't.json:2: "read.rows_writen_per_action": unknown figure "rows_writen"'],
    ['a metric with no expressions', '{"naive": {\n"db.consistent": []}}', 't.json:2: "db.consistent": no expressions'],
    ['a string instead of a list', '{"naive": {\n"db.consistent": "== true"}}', 't.json:2: "naive" > "db.consistent": expected an array'],
    ['a number in the list', '{"naive": {"db.consistent": [\n"== true",\n 5]}}', 't.json:3: "naive" > "db.consistent" > 1: Invalid input: expected string'],
    ['a model that is not an object', '{\n"naive": ["== 1"]}', 't.json:2: "naive": expected { "<metric>"'],
    ['not an object at all', '[1, 2]', 't.json:1: (top level)'],
    ['an unknown wrapper key', '{"scenario": "vacation-backlog",\n "thresholds": {"naive": {"db.consistent": ["== true"]}},\n "seeds": 1}', 't.json:3: "seeds": Unrecognized key'],
    ['a wrapper without thresholds', '{"scenario": "vacation-backlog"}', 't.json:1: "thresholds"'],
    ['a wrapper seed that is not an integer', '{"seed": 1.5,\n "thresholds": {"naive": {"db.consistent": ["== true"]}}}', 't.json:1: "seed"'],
    ['wrapper params of the wrong type', '{"params": {\n "pairs": [1]},\n "thresholds": {"naive": {"db.consistent": ["== true"]}}}', 't.json:2: "params" > "pairs"'],
    ['no thresholds at all', '{}', 't.json: no thresholds defined'],
    ['a trailing comma', '{\n "naive": {\n  "db.consistent": ["== true"],\n }\n}', 't.json:4: invalid JSON'],
    ['truncated JSON', '{\n "naive": {\n', 't.json:3: invalid JSON'],
    ['a threshold beyond every number', '{"naive": {\n"latency.receipt": ["p99 < 1e999"]}}', 't.json:2: "p99 < 1e999": 1e999 is not a finite number'],
    ['a baseline factor beyond every number', '{"naive": {\n"latency.receipt": ["p99 < baseline * 1e999"]}}', 't.json:2: "p99 < baseline * 1e999": 1e999 is not a finite number'],
  ])('rejects %s, naming the line and the culprit', (_label, text, message) => {
    expect(() => parseGateJson(text, 't.json')).toThrow(ThresholdsError);
    expect(() => parseGateJson(text, 't.json')).toThrow(message);
  });

  it('loads a JSON file from disk', async () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ watermark: { 'read.rows_written_per_action': ['== 1'] } }));
    expect((await loadGateFile(path)).thresholds).toHaveLength(1);
  });

  it('loads a .ts module by its default export, and points at the line of a bad expression', async () => {
    const good = join(dir, 'good.ts');
    writeFileSync(good, "export default { watermark: { 'latency.receipt': ['p99 < 10'] } };\n");
    expect((await loadGateFile(good)).thresholds[0]!.expression.quantile).toBe('p99');

    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, "export default {\n  watermark: {\n    'latency.receipt': ['p99 =< 10'],\n  },\n};\n");
    await expect(loadGateFile(bad)).rejects.toThrow('bad.ts:3: "p99 =< 10": expected <op> <number>');
  });

  it('rejects a module without a default export, and one that does not load', async () => {
    const none = join(dir, 'none.ts');
    writeFileSync(none, 'export const thresholds = {};\n');
    await expect(loadGateFile(none)).rejects.toThrow('none.ts: no default export');
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export default {{{;\n');
    await expect(loadGateFile(broken)).rejects.toThrow(/cannot load thresholds module .*broken\.ts/);
  });

  it('rejects a file that cannot be read, naming it', async () => {
    await expect(loadGateFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read thresholds file .*missing\.json: ENOENT/);
  });

  it('gives scenario definitions a typed helper that catches misspelt metrics at compile time', () => {
    const spec = defineThresholds({ watermark: { 'read.rows_written_per_action': ['== 1'], 'latency.receipt': ['p99 < 50'] } });
    expect(parseGateFile(spec, 'scenario').thresholds).toHaveLength(2);
    // @ts-expect-error: "rows_writen" is not a figure; tsc fails this file if the type lets it through
    defineThresholds({ watermark: { 'read.rows_writen_per_action': ['== 1'] } });
  });
});
