// k6's `--out json` lines into what a Node worker reports: action and error counts, the clients'
// tick report, a RecordedLatency part (HDR histograms for the results, every raw sample for the
// store), the receipt log and failovers, so nothing downstream knows which driver ran. Also what
// tells a whole runner file from a cut one: which VUs began and which reported everything.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReceiptLogPart } from '../client/receipts.ts';
import type { GeneratorReport } from '../outcome.ts';
import { LatencyRecorder } from '../recorder.ts';
import { K6_LOG_KINDS, K6_METRICS, type K6LogKind } from './config.ts';

export interface K6Output extends GeneratorReport {
  recoveries: { droppedAt: number; syncedAt: number }[];
  resends: Record<string, number>;
  /** points read, of our metrics */
  points: number;
  /** VU indexes (in the whole test) that began, and that reported everything, in this file */
  vusStarted: number[];
  vusDone: number[];
  /** execution segments the file's VUs ran in */
  segments: string[];
}

interface Point {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string>; metadata?: Record<string, string> };
}

/** k6 Trend name -> the spec's metric name */
const LATENCY = new Map<string, string>(Object.entries(K6_METRICS.latency).map(([name, k6Name]) => [k6Name, name]));
const MAX_MISMATCH_EXAMPLES = 20;
const OURS = new Set<string>([
  K6_METRICS.errors,
  K6_METRICS.resends,
  K6_METRICS.ownMessages,
  K6_METRICS.ticksChecked,
  K6_METRICS.tickMismatches,
  K6_METRICS.log,
  K6_METRICS.vuStart,
  K6_METRICS.vuDone,
]);

/**
 * Reads one k6 process's JSON output. `model` and `runStart` name and place the samples. A line
 * of ours that is not JSON, or a file cut mid-line, is an error naming the file.
 */
export async function readK6Output(path: string, model: string, runStart: number): Promise<K6Output> {
  if (statSync(path).size === 0) throw new Error(`${path}: empty`);
  if (!endsWithNewline(path)) throw new Error(`${path}: truncated (its last line is cut off)`);
  const output: K6Output = {
    actions: {},
    errors: {},
    resends: {},
    ticks: { ownMessages: {}, checked: 0, mismatched: 0, mismatches: [] },
    latency: { histograms: {}, samples: [] },
    receipts: { reads: [], seen: [], own: [] },
    recoveries: [],
    points: 0,
    vusStarted: [],
    vusDone: [],
    segments: [],
  };
  const recorder = new LatencyRecorder(model, runStart);
  const recoveries: number[] = [];
  const segments = new Set<string>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    // k6 writes a point for every frame its sockets move (ws_msgs_*): skip those unparsed
    const metric = metricOf(line);
    if (metric === undefined || !ours(metric)) continue;
    let point: Point;
    try {
      point = JSON.parse(line) as Point;
    } catch {
      throw new Error(`${path}:${lineNumber}: not a JSON line`);
    }
    if (point.type !== 'Point') continue;
    output.points += 1;
    const { value, tags = {}, metadata = {} } = point.data;
    const latencyName = LATENCY.get(metric);
    if (latencyName) {
      const at = Date.parse(point.data.time);
      if (!Number.isFinite(at)) throw new Error(`${path}:${lineNumber}: bad time ${JSON.stringify(point.data.time)}`);
      recorder.record(latencyName, value, undefined, at);
    } else if (metric.startsWith(K6_METRICS.actionPrefix)) {
      const action = metric.slice(K6_METRICS.actionPrefix.length);
      output.actions[action] = (output.actions[action] ?? 0) + value;
    } else if (metric === K6_METRICS.errors) {
      const code = tags.code ?? 'unknown';
      output.errors[code] = (output.errors[code] ?? 0) + value;
    } else if (metric === K6_METRICS.resends) {
      const action = tags.action ?? 'unknown';
      output.resends[action] = (output.resends[action] ?? 0) + value;
    } else if (metric === K6_METRICS.ownMessages) {
      const conversation = tags.conversation ?? '?';
      output.ticks.ownMessages[conversation] = (output.ticks.ownMessages[conversation] ?? 0) + value;
    } else if (metric === K6_METRICS.ticksChecked) {
      output.ticks.checked += value;
    } else if (metric === K6_METRICS.tickMismatches) {
      output.ticks.mismatched += value;
      if (tags.example && output.ticks.mismatches.length < MAX_MISMATCH_EXAMPLES) output.ticks.mismatches.push(tags.example);
    } else if (metric === K6_METRICS.log) {
      const kind = tags.kind as K6LogKind;
      if (!K6_LOG_KINDS.includes(kind)) throw new Error(`${path}:${lineNumber}: unknown log kind ${JSON.stringify(tags.kind)}`);
      const numbers = (metadata.d ?? '').split(',').map(Number);
      if (numbers.some((number) => !Number.isFinite(number))) throw new Error(`${path}:${lineNumber}: ${kind} log holds a value that is not a number`);
      const target = kind === 'recoveries' ? recoveries : output.receipts[kind as keyof ReceiptLogPart];
      for (const number of numbers) target.push(number);
    } else if (metric === K6_METRICS.vuStart || metric === K6_METRICS.vuDone) {
      const vu = Number(metadata.vu);
      if (!Number.isInteger(vu)) throw new Error(`${path}:${lineNumber}: ${metric} without a VU index`);
      (metric === K6_METRICS.vuStart ? output.vusStarted : output.vusDone).push(vu);
      if (metadata.segment) segments.add(metadata.segment);
    }
  }
  for (let i = 0; i + 1 < recoveries.length; i += 2) output.recoveries.push({ droppedAt: recoveries[i]!, syncedAt: recoveries[i + 1]! });
  output.latency = recorder.export();
  output.segments = [...segments];
  return output;
}

/** VUs of this file that began but did not report everything (the runner stopped early). */
export function unfinishedVus(output: Pick<K6Output, 'vusStarted' | 'vusDone'>): number[] {
  const done = new Set(output.vusDone);
  return output.vusStarted.filter((vu) => !done.has(vu)).sort((a, b) => a - b);
}

function ours(metric: string): boolean {
  return LATENCY.has(metric) || metric.startsWith(K6_METRICS.actionPrefix) || OURS.has(metric);
}

const METRIC_KEY = '"metric":"';

function metricOf(line: string): string | undefined {
  const start = line.indexOf(METRIC_KEY);
  if (start < 0) return undefined;
  const end = line.indexOf('"', start + METRIC_KEY.length);
  return end < 0 ? undefined : line.slice(start + METRIC_KEY.length, end);
}

/** k6 ends every line it writes; a file that does not end in one was cut while being written */
function endsWithNewline(path: string): boolean {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
