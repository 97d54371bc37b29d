// k6's `--out json` lines into what the Node driver reports: action and error counts, the
// clients' tick report, and a RecordedLatency part per k6 process (HDR histograms for the
// results, every raw sample for the store), so nothing downstream knows which driver ran.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LatencyRecorder, type RecordedLatency } from '../recorder.ts';
import type { TickReport } from '../node/worker-protocol.ts';
import { K6_METRICS } from './config.ts';

export interface K6Output {
  actions: Record<string, number>;
  errors: Record<string, number>;
  ticks: TickReport;
  latency: RecordedLatency;
  /** points read, of our metrics */
  points: number;
}

interface Point {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> };
}

/** k6 Trend name -> the spec's metric name */
const LATENCY = new Map<string, string>(Object.entries(K6_METRICS.latency).map(([name, k6Name]) => [k6Name, name]));
const MAX_MISMATCH_EXAMPLES = 20;

/** Reads one k6 process's JSON output. `model` and `runStart` name and place the samples. */
export async function readK6Output(path: string, model: string, runStart: number): Promise<K6Output> {
  const output: K6Output = {
    actions: {},
    errors: {},
    ticks: { ownMessages: {}, checked: 0, mismatches: [] },
    latency: { histograms: {}, samples: [] },
    points: 0,
  };
  const recorder = new LatencyRecorder(model, runStart);
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
    const { value, tags = {} } = point.data;
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
    } else if (metric === K6_METRICS.ownMessages) {
      const conversation = tags.conversation ?? '?';
      output.ticks.ownMessages[conversation] = (output.ticks.ownMessages[conversation] ?? 0) + value;
    } else if (metric === K6_METRICS.ticksChecked) {
      output.ticks.checked += value;
    } else if (metric === K6_METRICS.tickMismatches) {
      output.ticks.mismatches.push(output.ticks.mismatches.length < MAX_MISMATCH_EXAMPLES ? (tags.example ?? '…') : '…');
    }
  }
  output.latency = recorder.export();
  return output;
}

function ours(metric: string): boolean {
  return (
    LATENCY.has(metric) ||
    metric.startsWith(K6_METRICS.actionPrefix) ||
    metric === K6_METRICS.errors ||
    metric === K6_METRICS.ownMessages ||
    metric === K6_METRICS.ticksChecked ||
    metric === K6_METRICS.tickMismatches
  );
}

const METRIC_KEY = '"metric":"';

function metricOf(line: string): string | undefined {
  const start = line.indexOf(METRIC_KEY);
  if (start < 0) return undefined;
  const end = line.indexOf('"', start + METRIC_KEY.length);
  return end < 0 ? undefined : line.slice(start + METRIC_KEY.length, end);
}
