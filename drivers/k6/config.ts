// What the k6 entry script is told, as environment variables (k6's `-e NAME=value`, or a TestRun's
// `env`). Shared by the Node side that writes them and the script that reads them, so no Node
// imports. The plan itself is not passed: the script rebuilds it from (scenario, params, seed)
// with the same scenario code, which is what makes both drivers execute the same plan.
import type { GeneratorConfig } from '../types.ts';

export const K6_ENV = {
  scenario: 'CHATBENCH_SCENARIO',
  /** JSON object of parameter -> number, without spaces (it travels as one argument) */
  params: 'CHATBENCH_PARAMS',
  seed: 'CHATBENCH_SEED',
  model: 'CHATBENCH_MODEL',
  cachesSettings: 'CHATBENCH_CACHES_SETTINGS',
  /** comma-separated ws:// URLs; clients are placed on them as the Node driver places them (scenarios/placement.ts) */
  serverUrls: 'CHATBENCH_SERVER_URLS',
  secret: 'CHATBENCH_SECRET',
  /** http:// URL of the phase coordinator */
  coordinator: 'CHATBENCH_COORDINATOR',
  /** simulated clients per VU (a VU holds one socket per client) */
  clientsPerVu: 'CHATBENCH_CLIENTS_PER_VU',
} as const;

export interface K6ScriptConfig extends GeneratorConfig {
  coordinator: string;
  clientsPerVu: number;
}

export const K6_SCRIPT_DEFAULTS = {
  /**
   * As many as a Node driver worker holds: the receipt clock needs reader and sender in one VU,
   * so the same granularity measures the same receipts under both drivers. k6 spreads load over
   * cores by processes (execution segments), not by splitting a plan's partners apart.
   */
  clientsPerVu: 8000,
};

/**
 * Metric names in k6's output. k6 (1.x) accepts only letters, digits and underscores, so the
 * spec's `latency.ack` travels as `latency_ack` and is renamed back when the output is read.
 */
export const K6_METRICS = {
  /** spec name -> k6 Trend name (latency.receipt is matched across runners afterwards: see `log`) */
  latency: {
    'latency.ack': 'latency_ack',
    'latency.delivery': 'latency_delivery',
    'latency.sync': 'latency_sync',
  } as Record<string, string>,
  /** one Counter per action kind: `action_<kind>` */
  actionPrefix: 'action_',
  /** client error codes, tagged `code` */
  errors: 'client_errors',
  /** frames sent again after a failover, tagged `action` */
  resends: 'client_resends',
  /** own messages acked per conversation, tagged `conversation` (checked against the plan) */
  ownMessages: 'check_own_messages',
  ticksChecked: 'check_ticks_checked',
  /** one point per mismatch, tagged `example` for the first few */
  tickMismatches: 'check_tick_mismatches',
  /**
   * number lists that are no metric (the receipt log, failovers), tagged `kind` (K6_LOG_KINDS),
   * the numbers comma-separated in the point's metadata `d`: metadata is not indexed by k6
   */
  log: 'chatbench_log',
  /** a VU began, and a VU reported everything: metadata `vu` (its index in the test) and `segment` */
  vuStart: 'chatbench_vu_start',
  vuDone: 'chatbench_vu_done',
} as const;

export const K6_LOG_KINDS = ['reads', 'seen', 'own', 'recoveries'] as const;
export type K6LogKind = (typeof K6_LOG_KINDS)[number];
/** numbers per log point: a JSON line of tens of KB */
export const K6_LOG_CHUNK = 4000;

export const K6_ACTIONS = ['connect', 'reconnect', 'send', 'deliver', 'open', 'read', 'toggle', 'read_by'] as const;

export function configEnv(config: K6ScriptConfig): Record<string, string> {
  return {
    ...planEnv(config),
    [K6_ENV.model]: config.model,
    [K6_ENV.cachesSettings]: String(config.cachesSettings),
    [K6_ENV.serverUrls]: config.serverUrls.join(','),
    [K6_ENV.secret]: config.secret,
    [K6_ENV.coordinator]: config.coordinator,
  };
}

type Env = Record<string, string | undefined>;

function need(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`k6 script: environment variable ${name} is required`);
  return value;
}

function integer(env: Env, name: string, fallback?: number): number {
  const raw = env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const value = Number(need(env, name));
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`k6 script: ${name}=${raw} must be a non-negative integer`);
  return value;
}

export type PlanConfig = Pick<K6ScriptConfig, 'scenario' | 'params' | 'seed' | 'clientsPerVu'>;
export type RuntimeConfig = Omit<K6ScriptConfig, keyof PlanConfig>;

/**
 * What fixes the plan and the VU count: read in k6's init context, so `k6 archive` (the k6-operator
 * path) needs only these and bakes them into the archive.
 */
export function readPlanEnv(env: Env): PlanConfig {
  let params: Record<string, number>;
  try {
    params = JSON.parse(need(env, K6_ENV.params)) as Record<string, number>;
  } catch (error) {
    throw new Error(`k6 script: ${K6_ENV.params} must be a JSON object (${String(error)})`);
  }
  const clientsPerVu = integer(env, K6_ENV.clientsPerVu, K6_SCRIPT_DEFAULTS.clientsPerVu);
  if (clientsPerVu < 1) throw new Error(`k6 script: ${K6_ENV.clientsPerVu} must be at least 1`);
  return { scenario: need(env, K6_ENV.scenario), params, seed: integer(env, K6_ENV.seed), clientsPerVu };
}

/** Where and as whom to connect: read when the VUs run, so a cluster sets them per deployment. */
export function readRuntimeEnv(env: Env): RuntimeConfig {
  return {
    model: env[K6_ENV.model] ?? 'unknown',
    cachesSettings: env[K6_ENV.cachesSettings] === 'true',
    serverUrls: need(env, K6_ENV.serverUrls).split(','),
    secret: need(env, K6_ENV.secret),
    coordinator: need(env, K6_ENV.coordinator).replace(/\/$/, ''),
  };
}

export function planEnv(config: PlanConfig): Record<string, string> {
  return {
    [K6_ENV.scenario]: config.scenario,
    [K6_ENV.params]: JSON.stringify(config.params),
    [K6_ENV.seed]: String(config.seed),
    [K6_ENV.clientsPerVu]: String(config.clientsPerVu),
  };
}

/** VUs a plan needs: contiguous blocks of clients, as the Node driver shards its workers. */
export function vusFor(clients: number, clientsPerVu: number): number {
  return Math.max(1, Math.ceil(clients / clientsPerVu));
}
