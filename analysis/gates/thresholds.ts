// Thresholds files: `{ "<model>": { "<metric>": ["<expr>", ...] } }`, optionally wrapped as
// `{ "scenario", "params", "seed", "thresholds" }` so one file also says what to run. JSON or a
// .ts module (default export). Everything is parsed and checked when the file loads; errors
// carry `file:line` so CI logs point at the offending expression.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ExpressionError, parseExpression, type Expression } from './expressions.ts';
import { jsonErrorLine, jsonLines, pathKey, type JsonPath } from './json-lines.ts';
import { MetricNameError, parseMetricName, type GateMetricName, type MetricRef } from './metrics.ts';

/** Thresholds as a scenario definition or a .ts file writes them; metric names are type-checked. */
export type ThresholdSpec = {
  readonly [model: string]: { readonly [M in GateMetricName]?: readonly string[] };
};

/** Identity at runtime; gives a thresholds literal its type so tsc catches a misspelt metric. */
export function defineThresholds<const T extends ThresholdSpec>(thresholds: T): T {
  return thresholds;
}

export type Params = Record<string, number | string | boolean>;

export interface GateFileSpec {
  scenario?: string;
  params?: Params;
  seed?: number;
  thresholds: ThresholdSpec;
}

/** One expression of one metric of one model, parsed. */
export interface Threshold {
  model: string;
  metric: MetricRef;
  expression: Expression;
  /** where it was written, when known */
  line?: number;
}

export interface GateFile {
  /** the file name as given, for messages */
  source: string;
  scenario?: string;
  params?: Params;
  seed?: number;
  thresholds: Threshold[];
}

export class ThresholdsError extends Error {
  override name = 'ThresholdsError';
}

const expressionsSchema = z.array(z.string(), { error: 'expected an array of expression strings' });
const thresholdsSchema = z.record(
  z.string().min(1),
  z.record(z.string(), expressionsSchema, { error: 'expected { "<metric>": ["<expr>", ...] }' }),
  { error: 'expected { "<model>": { "<metric>": ["<expr>", ...] } }' },
);
const paramsSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));
const wrapperSchema = z.strictObject({
  scenario: z.string().min(1).optional(),
  params: paramsSchema.optional(),
  seed: z.number().int().optional(),
  thresholds: thresholdsSchema,
});
// Any of these at the top level means the wrapper form; a model cannot be called `thresholds`.
const WRAPPER_KEYS = ['scenario', 'params', 'seed', 'thresholds'];

/** Where a path was written: a line number, or none when the source cannot say. */
export type Locate = (path: JsonPath, text?: string) => number | undefined;

/** Validates a thresholds document already read into memory. */
export function parseGateFile(data: unknown, source: string, locate: Locate = () => undefined): GateFile {
  const wrapped =
    typeof data === 'object' && data !== null && !Array.isArray(data) && WRAPPER_KEYS.some((k) => k in data);
  const prefix: JsonPath = wrapped ? ['thresholds'] : [];
  const parsed = wrapped ? wrapperSchema.safeParse(data) : thresholdsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // Point an unknown key at its own line rather than at the object holding it.
    const path = [...(issue.path as JsonPath), ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])];
    const at = path.length === 0 ? '(top level)' : path.map((p) => JSON.stringify(p)).join(' > ');
    throw new ThresholdsError(`${where(source, locateNearest(locate, path))}${at}: ${issue.message}`);
  }
  const spec: GateFileSpec = wrapped
    ? (parsed.data as z.infer<typeof wrapperSchema>)
    : { thresholds: parsed.data as z.infer<typeof thresholdsSchema> };

  const thresholds: Threshold[] = [];
  for (const [model, metrics] of Object.entries(spec.thresholds)) {
    for (const [name, expressions] of Object.entries(metrics as Record<string, readonly string[]>)) {
      const metricPath = [...prefix, model, name];
      let metric: MetricRef;
      try {
        metric = parseMetricName(name);
      } catch (error) {
        if (!(error instanceof MetricNameError)) throw error;
        throw new ThresholdsError(`${where(source, locate(metricPath, name))}"${name}": ${error.message}`);
      }
      if (expressions.length === 0) {
        throw new ThresholdsError(`${where(source, locate(metricPath, name))}"${name}": no expressions`);
      }
      expressions.forEach((text, index) => {
        const line = locate([...metricPath, index], text);
        try {
          thresholds.push({ model, metric, expression: parseExpression(text, metric.kind), line });
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          throw new ThresholdsError(`${where(source, line)}"${text}": ${error.message}`);
        }
      });
    }
  }
  if (thresholds.length === 0) {
    // A gate that checks nothing passes everything, which is never what the author meant.
    throw new ThresholdsError(`${source}: no thresholds defined`);
  }
  return { source, scenario: spec.scenario, params: spec.params, seed: spec.seed, thresholds };
}

/** Parses JSON text, naming the line of any syntax or content error. */
export function parseGateJson(text: string, source: string): GateFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ThresholdsError(`${where(source, jsonErrorLine(text, error))}invalid JSON: ${reason}`);
  }
  const lines = jsonLines(text);
  return parseGateFile(data, source, (path) => lines.get(pathKey(path)));
}

/** Reads a thresholds file: `.json`, or `.ts`/`.mts`/`.js`/`.mjs` whose default export is the object. */
export async function loadGateFile(file: string): Promise<GateFile> {
  const source = basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ThresholdsError(`cannot read thresholds file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (!/\.[mc]?[jt]s$/.test(file)) return parseGateJson(text, source);

  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    throw new ThresholdsError(`cannot load thresholds module ${file}: ${error instanceof Error ? error.message : error}`);
  }
  if (module.default === undefined) throw new ThresholdsError(`${source}: no default export`);
  // A module has no JSON positions; the first line quoting the offending text is a good guess
  // when it is the only such line.
  return parseGateFile(module.default, source, (path, needle) => uniqueLineOf(text, needle ?? String(path.at(-1))));
}

function uniqueLineOf(text: string, needle: string): number | undefined {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (['"', "'", '`'].some((q) => l.includes(`${q}${needle}${q}`)) ? [i + 1] : []));
  return hits.length === 1 ? hits[0] : undefined;
}

function locateNearest(locate: Locate, path: JsonPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = locate(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return undefined;
}

function where(source: string, line: number | undefined): string {
  return line === undefined ? `${source}: ` : `${source}:${line}: `;
}
