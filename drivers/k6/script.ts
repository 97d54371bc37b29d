// The k6 entry script: executes a chatbench plan with k6/websockets. Every VU holds a contiguous
// block of the plan's clients (one socket each) across all phases, so a client's state (status
// cursor, held messages) survives from one phase to the next and a reconnect resumes from its
// cursor. Phases are kept in step across VUs, and across k6 processes run with execution
// segments, by a small HTTP coordinator (drivers/k6/coordinator.ts): a VU asks to start a phase,
// runs its clients' scripts, settles them, reports the phase's action counts and waits for the
// next start. Everything a run's results need (latency samples, action counts, client errors,
// the clients' ticks) leaves as k6 metrics, so `--out json` carries it all.
//
// Runs inside k6 only: no Node imports; the plan is rebuilt here from (scenario, params, seed)
// with the same scenario code the Node driver uses.
import { hmac } from 'k6/crypto';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { STATUS_RANK } from '../../reference-server/protocol.ts';
import { placeClients } from '../../scenarios/placement.ts';
import { planClients } from '../../scenarios/plan.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { K6_ACTIONS, K6_METRICS, readPlanEnv, readRuntimeEnv, vusFor, type RuntimeConfig } from './config.ts';
import { VuClient } from './vu-client.ts';

const config = readPlanEnv(__ENV);
const definition = SCENARIOS[config.scenario];
if (!definition) throw new Error(`k6 script: unknown scenario "${config.scenario}"`);
const plan = definition.plan(config.params as never, config.seed);
// by user id, not first appearance: conversation partners (adjacent ids) share a VU, so the
// receipt clock, which needs reader and sender in one VU, runs for them
const clients = planClients(plan).sort((a, b) => a - b);
const vus = vusFor(clients.length, config.clientsPerVu);
const totalTimeoutMs = plan.phases.reduce((sum, phase) => sum + phase.timeoutMs, 0);
const members = new Map(plan.conversations.map((conversation) => [conversation.id, conversation.members]));

export const options = {
  scenarios: {
    chat: { executor: 'per-vu-iterations', vus, iterations: 1, maxDuration: `${Math.ceil(totalTimeoutMs / 1000) + 60}s`, gracefulStop: '10s' },
  },
};

// keyed by the spec's names; created under k6's (see K6_METRICS)
const latency: Record<string, Trend> = Object.fromEntries(Object.entries(K6_METRICS.latency).map(([name, k6Name]) => [name, new Trend(k6Name, true)]));
const actions: Record<string, Counter> = Object.fromEntries(K6_ACTIONS.map((kind) => [kind, new Counter(`${K6_METRICS.actionPrefix}${kind}`)]));
const clientErrors = new Counter(K6_METRICS.errors);
const ownMessages = new Counter(K6_METRICS.ownMessages);
const ticksChecked = new Counter(K6_METRICS.ticksChecked);
const tickMismatches = new Counter(K6_METRICS.tickMismatches);

const MAX_MISMATCH_EXAMPLES = 20;

interface ReceiptClock {
  reader: number;
  target: number;
  sentAt: number;
}

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

function withTimeout<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export default async function run(): Promise<void> {
  const vu = exec.scenario.iterationInTest;
  const mine = clients.slice(vu * config.clientsPerVu, (vu + 1) * config.clientsPerVu);
  const local = new Map<number, VuClient>();
  const clocks = new Map<string, ReceiptClock[]>();
  let phaseActions: Record<string, number> = {};
  const count = (action: string): void => {
    actions[action]?.add(1);
    phaseActions[action] = (phaseActions[action] ?? 0) + 1;
  };
  // the Node driver's placement: with several server nodes, the same client lands on the same node
  const urls = runtime().serverUrls;
  const placement = placeClients(plan, urls.length);
  for (const userId of mine) {
    local.set(
      userId,
      new VuClient(userId, {
        url: urls[placement.get(userId) ?? 0]!,
        token: token(userId),
        cachesSettings: runtime().cachesSettings,
        record: (metric, valueMs) => latency[metric]!.add(Math.max(0, valueMs)),
        count,
        error: (code) => clientErrors.add(1, { code }),
        readSent: (reader, conversationId, fromSeq, upToSeq) => {
          const sentAt = Date.now();
          for (const member of members.get(conversationId) ?? []) {
            if (member === reader) continue;
            const view = local.get(member)?.state.conversation(conversationId);
            if (!view) continue;
            let target = 0;
            for (const seq of view.own.keys()) if (seq > fromSeq && seq <= upToSeq && seq > target) target = seq;
            if (!target) continue;
            const key = `${member}:${conversationId}`;
            const pending = clocks.get(key);
            if (pending) pending.push({ reader, target, sentAt });
            else clocks.set(key, [{ reader, target, sentAt }]);
          }
        },
        statusReceived: (client, conversationId) => {
          const key = `${client.userId}:${conversationId}`;
          const pending = clocks.get(key);
          if (!pending) return;
          const now = Date.now();
          const left = pending.filter((clock) => {
            if (client.state.readThrough(conversationId, clock.reader) < clock.target) return true;
            latency['latency.receipt']!.add(Math.max(0, now - clock.sentAt));
            return false;
          });
          if (left.length) clocks.set(key, left);
          else clocks.delete(key);
        },
      }),
    );
  }

  for (const [index, phase] of plan.phases.entries()) {
    const start = await coordinate<{ startAt?: number; stop?: boolean }>(`/phase/${index}/start`, { vu });
    if (start.stop || start.startAt === undefined) break;
    const startAt = start.startAt;
    phaseActions = {};
    const scripts = phase.scripts.filter((script) => local.has(script.userId));
    let done = 0;
    let error: string | undefined;
    try {
      await withTimeout(
        Promise.all(
          scripts.map(async (script) => {
            const client = local.get(script.userId)!;
            if (script.readEvery) client.readEvery = script.readEvery;
            for (const step of script.steps) await client.run(step, startAt);
            await client.settle();
            done += 1;
          }),
        ),
        phase.timeoutMs,
        () => `phase "${phase.name}" did not finish within ${phase.timeoutMs} ms (VU ${vu}: ${done}/${scripts.length} clients done)`,
      );
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      clientErrors.add(1, { code: 'phase_failed' });
    }
    await coordinate(`/phase/${index}/done`, { vu, actions: phaseActions, ...(error ? { error } : {}) });
  }

  reportTicks(local);
  // the driver measures this process (CPU, peak RSS) while every VU waits here
  await coordinate('/finish', { vu });
  await Promise.all([...local.values()].map((client) => client.disconnect().catch(() => {})));
}

/** The clients' ticks against the plan, as the Node worker checks them, as metrics. */
function reportTicks(local: Map<number, VuClient>): void {
  let examples = 0;
  for (const expected of plan.expected) {
    for (const member of members.get(expected.conversationId) ?? []) {
      const client = local.get(member);
      const view = client?.state.conversation(expected.conversationId);
      if (!client || !view) continue;
      ownMessages.add(view.own.size, { conversation: String(expected.conversationId) });
      for (const seq of view.own.keys()) {
        ticksChecked.add(1);
        const tick = client.state.tick(expected.conversationId, seq);
        if (STATUS_RANK[tick] === STATUS_RANK[expected.tick]) continue;
        const example =
          examples++ < MAX_MISMATCH_EXAMPLES ? `user ${member} conversation ${expected.conversationId} seq ${seq}: client shows ${tick}, plan expects ${expected.tick}` : '…';
        tickMismatches.add(1, { example });
      }
    }
  }
}
