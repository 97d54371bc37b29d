// Run directories on disk: round trip, and every bad results/samples file rejected by file and line.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsValidationError } from '../../../analysis/results-schema.ts';
import { readRunDir, RunDirError, writeRunDir } from '../../../analysis/store/run-dir.ts';
import { SamplesFileError } from '../../../analysis/store/samples-file.ts';
import { FIXTURE_DIR, fixtureResults, fixtureSamples, tempDir } from '../../support/store-fixtures.ts';

const root = tempDir('rundir');
let n = 0;

/** The fixture dir with samples.tsv (or results.json) replaced. */
function dirWith(files: { samples?: string; results?: string }): string {
  const dir = join(root, `case-${n++}`);
  cpSync(FIXTURE_DIR, dir, { recursive: true });
  if (files.samples !== undefined) writeFileSync(join(dir, 'samples.tsv'), files.samples);
  if (files.results !== undefined) writeFileSync(join(dir, 'results.json'), files.results);
  return dir;
}

const fixtureTsv = readFileSync(join(FIXTURE_DIR, 'samples.tsv'), 'utf8');
const [header, ...lines] = fixtureTsv.trimEnd().split('\n');
const withLine = (lineNo: number, replacement: string) => [header, ...lines.map((line, i) => (i + 2 === lineNo ? replacement : line))].join('\n') + '\n';

describe('run directories', () => {
  it('writes and reads back the same results and samples', async () => {
    const dir = join(root, 'written');
    const samples = fixtureSamples();
    samples[0] = { ...samples[0]!, tags: JSON.stringify({ node: 'a\tb\\c' }) };
    await writeRunDir(dir, fixtureResults(), samples);
    const run = await readRunDir(dir);
    expect(run.results).toEqual(fixtureResults());
    const back = [];
    for await (const sample of run.samples) back.push(sample);
    expect(back).toEqual(samples);
    expect(run.sampleCounts).toEqual({ naive: fixtureResults().models.naive!.samples, watermark: fixtureResults().models.watermark!.samples });
  });

  it('keeps extra fields of results.json (they are welcome in the contract)', async () => {
    const dir = dirWith({ results: JSON.stringify({ ...fixtureResults(), note: 'extra' }) });
    expect((await readRunDir(dir)).results).toMatchObject({ note: 'extra' });
  });

  it('refuses to write an invalid results document', async () => {
    await expect(writeRunDir(join(root, 'bad'), { ...fixtureResults(), seed: 'x' as unknown as number }, [])).rejects.toThrow(ResultsValidationError);
  });

  it.each([
    ['a missing directory', () => join(root, 'nope'), RunDirError, /nope\/results\.json: no such file/],
    ['results that are not JSON', () => dirWith({ results: '{ nope' }), RunDirError, /results\.json: not valid JSON/],
    ['results missing a field', () => dirWith({ results: JSON.stringify({ ...fixtureResults(), runId: undefined }) }), ResultsValidationError, /results\.json.*runId/],
    ['a missing samples file', () => {
      const dir = dirWith({});
      writeFileSync(join(dir, 'samples.tsv'), '');
      return dir;
    }, SamplesFileError, /samples\.tsv: empty file/],
    ['a wrong header', () => dirWith({ samples: 'model\tmetric\tvalue\n' }), SamplesFileError, /samples\.tsv:1: header must be model <tab> metric/],
    ['a short line', () => dirWith({ samples: withLine(3, 'naive\tlatency.ack\t1') }), SamplesFileError, /samples\.tsv:3: expected 5 tab-separated fields/],
    ['a value that is not a number', () => dirWith({ samples: withLine(4, 'naive\tlatency.ack\t1\tfast\t{}') }), SamplesFileError, /samples\.tsv:4: value_ms "fast" is not a non-negative number/],
    ['a negative time', () => dirWith({ samples: withLine(5, 'naive\tlatency.ack\t-1\t2\t{}') }), SamplesFileError, /samples\.tsv:5: t_ms "-1"/],
    ['an empty value', () => dirWith({ samples: withLine(2, 'naive\tlatency.ack\t1\t\t{}') }), SamplesFileError, /samples\.tsv:2: value_ms ""/],
    ['tags that are not a JSON object', () => dirWith({ samples: withLine(6, 'naive\tlatency.ack\t1\t2\t[1]') }), SamplesFileError, /samples\.tsv:6: tags "\[1\]" is not a JSON object/],
    ['a bad model name', () => dirWith({ samples: withLine(7, 'na ive\tlatency.ack\t1\t2\t{}') }), SamplesFileError, /samples\.tsv:7: model "na ive" is not a valid name/],
    ['a model results.json lacks', () => dirWith({ samples: withLine(2, 'redis\tlatency.ack\t1\t2\t{}') }), SamplesFileError, /model "redis", which results\.json does not have/],
    ['fewer samples than recorded', () => dirWith({ samples: [header, ...lines.slice(1)].join('\n') + '\n' }), SamplesFileError, /holds 19 naive latency\.ack samples but .*results\.json says 20/],
  ])('rejects %s with a message naming file and line', async (_label, make, type, message) => {
    const error = await readRunDir(make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a directory without samples.tsv', async () => {
    const dir = join(root, 'only-results');
    mkdirSync(dir);
    writeFileSync(join(dir, 'results.json'), JSON.stringify(fixtureResults()));
    await expect(readRunDir(dir)).rejects.toThrow(/samples\.tsv: no such file/);
  });
});
