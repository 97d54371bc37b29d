// The k6 entry script: executes a chatbench plan with k6/websockets. Every VU holds a contiguous
// block of the plan's clients (one socket each) across all phases, so a client's state (status
// cursor, held messages) survives from one phase to the next and a reconnect resumes from its
// cursor. The clients are the shared ones (drivers/client/), the same as the Node driver's, on a
// k6 transport. Phases are kept in step across VUs, and across k6 processes run with execution
// segments, by a small HTTP coordinator (drivers/k6/coordinator.ts): a VU asks to start a phase,
// runs its clients' scripts, settles them, reports the phase's action counts and waits for the
// next start. Everything a run's results need (latency samples, action counts, client errors,
// the clients' ticks, the receipt log, failovers) leaves as k6 metrics, so `--out json` carries it.
//
// Runs inside k6 only: no Node imports; the plan is rebuilt here from (scenario, params, seed)
// with the same scenario code the Node driver uses.
import { hmac } from 'k6/crypto';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { planClients } from '../../scenarios/plan.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { ClientFleet } from '../client/fleet.ts';
import { K6_ACTIONS, K6_LOG_CHUNK, K6_METRICS, readPlanEnv, readRuntimeEnv, vusFor, type K6LogKind, type RuntimeConfig } from './config.ts';
import { k6Transport } from './k6-transport.ts';

const config = readPlanEnv(__ENV);
const definition = SCENARIOS[config.scenario];
if (!definition) throw new Error(`k6 script: unknown scenario "${config.scenario}"`);
const plan = definition.plan(config.params as never, config.seed);
// by user id, not first appearance: contiguous blocks as the Node driver's workers hold them
const clients = planClients(plan).sort((a, b) => a - b);
const vus = vusFor(clients.length, config.clientsPerVu);
const totalTimeoutMs = plan.phases.reduce((sum, phase) => sum + phase.timeoutMs, 0);

export const options = {
  scenarios: {
    chat: { executor: 'per-vu-iterations', vus, iterations: 1, maxDuration: `${Math.ceil(totalTimeoutMs / 1000) + 60}s`, gracefulStop: '10s' },
  },
};

// keyed by the spec's names; created under k6's (see K6_METRICS)
const latency: Record<string, Trend> = Object.fromEntries(Object.entries(K6_METRICS.latency).map(([name, k6Name]) => [name, new Trend(k6Name, true)]));
const actions: Record<string, Counter> = Object.fromEntries(K6_ACTIONS.map((kind) => [kind, new Counter(`${K6_METRICS.actionPrefix}${kind}`)]));
const clientErrors = new Counter(K6_METRICS.errors);
const clientResends = new Counter(K6_METRICS.resends);
const ownMessages = new Counter(K6_METRICS.ownMessages);
const ticksChecked = new Counter(K6_METRICS.ticksChecked);
const tickMismatches = new Counter(K6_METRICS.tickMismatches);
const log = new Counter(K6_METRICS.log);
const vuStart = new Counter(K6_METRICS.vuStart);
const vuDone = new Counter(K6_METRICS.vuDone);

// read on first use, in a VU: `k6 archive` runs only the init context and must not need them
let runtimeConfig: RuntimeConfig | undefined;
function runtime(): RuntimeConfig {
  return (runtimeConfig ??= readRuntimeEnv(__ENV));
}

function token(userId: number): string {
  return `${userId}.${hmac('sha256', runtime().secret, `chatbench-user:${userId}`, 'base64rawurl')}`;
}

/** Posts to the coordinator until it answers with something other than "wait" (a long poll). */
async function coordinate<T>(path: string, body: unknown): Promise<T> {
  for (;;) {
    const response = await http.asyncRequest('POST', `${runtime().coordinator}${path}`, JSON.stringify(body), {
      headers: { 'content-type': 'application/json' },
      timeout: '120s',
      tags: { name: 'coordinator' },
    });
    if (response.status === 202) continue;
    if (response.status !== 200) throw new Error(`coordinator ${path}: HTTP ${response.status} ${response.error} ${response.body ?? ''}`);
    return JSON.parse(String(response.body)) as T;
  }
}

/** A point whose data rides in metadata, which k6 passes to the output without indexing it. */
function withMetadata(metadata: Record<string, string>, add: () => void): void {
  const slot = exec.vu.metrics.metadata;
  for (const [key, value] of Object.entries(metadata)) slot[key] = value;
  add();
  for (const key of Object.keys(metadata)) delete slot[key];
}

function emitLog(kind: K6LogKind, numbers: number[]): void {
  for (let start = 0; start < numbers.length; start += K6_LOG_CHUNK) {
    withMetadata({ d: numbers.slice(start, start + K6_LOG_CHUNK).join(',') }, () => log.add(1, { kind }));
  }
}

export default async function run(): Promise<void> {
  const vu = exec.scenario.iterationInTest;
  const identity = { vu: String(vu), segment: exec.test.options.executionSegment ?? '0:1' };
  withMetadata(identity, () => vuStart.add(1));
  const recoveries: number[] = [];
  const fleet = new ClientFleet({
    plan,
    userIds: clients.slice(vu * config.clientsPerVu, (vu + 1) * config.clientsPerVu),
    serverUrls: runtime().serverUrls,
    token,
    transport: k6Transport,
    cachesSettings: runtime().cachesSettings,
    sink: {
      latency: (metric, valueMs) => latency[metric]!.add(Math.max(0, valueMs)),
      count: (action) => actions[action]?.add(1),
      error: (code) => clientErrors.add(1, { code }),
      recovered: (droppedAt, syncedAt) => recoveries.push(droppedAt, syncedAt),
      resent: (action) => clientResends.add(1, { action }),
    },
  });

  for (const index of plan.phases.keys()) {
    const start = await coordinate<{ startAt?: number; stop?: boolean }>(`/phase/${index}/start`, { vu });
    if (start.stop || start.startAt === undefined) break;
    // k6 runners report failed clients as the phase's error, as before (the coordinator stops there)
    const { actions: phaseActions, error: unfinished, failure } = await fleet.runPhase(index, start.startAt);
    const error = unfinished ?? failure;
    await coordinate(`/phase/${index}/done`, { vu, actions: phaseActions, ...(error ? { error: `VU ${vu}: ${error}` } : {}) });
  }

  const ticks = fleet.ticks();
  for (const [conversation, count] of Object.entries(ticks.ownMessages)) ownMessages.add(count, { conversation });
  ticksChecked.add(ticks.checked);
  for (const example of ticks.mismatches) tickMismatches.add(1, { example });
  // the rest counted without examples, in one point
  if (ticks.mismatched > ticks.mismatches.length) tickMismatches.add(ticks.mismatched - ticks.mismatches.length);
  const receipts = fleet.receiptLog();
  emitLog('reads', receipts.reads);
  emitLog('seen', receipts.seen);
  emitLog('own', receipts.own);
  emitLog('recoveries', recoveries);
  // the last point of a VU: a runner file without it for every VU that began is incomplete
  withMetadata(identity, () => vuDone.add(1));
  // the driver measures this process (CPU, peak RSS) while every VU waits here
  await coordinate('/finish', { vu });
  await fleet.disconnectAll();
}
