// samples.tsv: TSVWithNames with ClickHouse's escaping, so a server can ingest the file as is.
// Reading validates every line and names file and line when one is wrong.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { SAMPLES_HEADER, type Sample } from '../results-schema.ts';
import { tsvEscape, tsvUnescape } from './sql.ts';

export class SamplesFileError extends Error {
  override name = 'SamplesFileError';
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const HEADER_LINE = SAMPLES_HEADER.join('\t');

export function sampleLine(sample: Sample): string {
  return `${tsvEscape(sample.model)}\t${tsvEscape(sample.metric)}\t${sample.t_ms}\t${sample.value_ms}\t${tsvEscape(sample.tags)}\n`;
}

/** Writes samples to `path`; resolves once the file is complete on disk. */
export async function writeSamplesFile(path: string, samples: AsyncIterable<Sample> | Iterable<Sample>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let chunk = `${HEADER_LINE}\n`;
  try {
    for await (const sample of samples) {
      checkSample(sample, `sample ${count + 1}`);
      chunk += sampleLine(sample);
      count++;
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    throw error;
  }
  return count;
}

/** Streams the samples of `path`, validating each line; the first bad line throws. */
export async function* readSamplesFile(path: string): AsyncGenerator<Sample> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (lineNo === 1) {
        if (line !== HEADER_LINE) {
          throw new SamplesFileError(`${path}:1: header must be ${SAMPLES_HEADER.join(' <tab> ')}, got ${JSON.stringify(line.slice(0, 120))}`);
        }
        continue;
      }
      if (line === '') continue;
      yield parseLine(line, `${path}:${lineNo}`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SamplesFileError(`${path}: no such file`);
    throw error;
  } finally {
    lines.close();
  }
  if (lineNo === 0) throw new SamplesFileError(`${path}: empty file, expected a header line`);
}

function parseLine(line: string, where: string): Sample {
  const fields = line.split('\t');
  if (fields.length !== SAMPLES_HEADER.length) {
    throw new SamplesFileError(`${where}: expected ${SAMPLES_HEADER.length} tab-separated fields (${SAMPLES_HEADER.join(', ')}), got ${fields.length}`);
  }
  const [model, metric, t, value, tags] = fields as [string, string, string, string, string];
  const sample: Sample = {
    model: tsvUnescape(model),
    metric: tsvUnescape(metric),
    t_ms: parseNumber(t, 't_ms', where),
    value_ms: parseNumber(value, 'value_ms', where),
    tags: tsvUnescape(tags),
  };
  checkSample(sample, where);
  return sample;
}

function parseNumber(text: string, field: string, where: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value < 0) throw new SamplesFileError(`${where}: ${field} ${JSON.stringify(text)} is not a non-negative number`);
  return value;
}

export function checkSample(sample: Sample, where: string): void {
  if (!NAME.test(sample.model)) throw new SamplesFileError(`${where}: model ${JSON.stringify(sample.model)} is not a valid name`);
  if (!NAME.test(sample.metric)) throw new SamplesFileError(`${where}: metric ${JSON.stringify(sample.metric)} is not a valid name`);
  for (const field of ['t_ms', 'value_ms'] as const) {
    if (typeof sample[field] !== 'number' || !Number.isFinite(sample[field]) || sample[field] < 0) {
      throw new SamplesFileError(`${where}: ${field} ${JSON.stringify(sample[field])} is not a non-negative number`);
    }
  }
  // Most samples are untagged; parsing '{}' a million times is wasted work.
  if (sample.tags !== '{}') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sample.tags);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SamplesFileError(`${where}: tags ${JSON.stringify(sample.tags.slice(0, 80))} is not a JSON object`);
    }
  }
}
