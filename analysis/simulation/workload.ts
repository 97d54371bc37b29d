// A workload mix: the traffic a design review asks about, one typed object. Every input says
// where it comes from: the design's own back-of-envelope estimate, or ours with a reason; a plain
// number in a user's file is an assumption given without one. Validation names the key.

export type InputBasis = 'design' | 'ours' | 'given';

export interface Input<T> {
  value: T;
  basis: InputBasis;
  /** one line: the source, or why we chose it */
  why: string;
}

type Entry<T> = T | Input<T>;

/** size or length -> share; shares sum to 1 */
export type Distribution = Record<string, number>;

export const WORKLOAD_KEYS = {
  dailyActiveUsers: 'users active on a day',
  messagesPerUserPerDay: 'messages sent per active user per day',
  directShare: 'share of messages sent in 1:1 chats (the rest in groups)',
  groupSizes: 'group size -> share of group messages (sizes 3 to 1024)',
  offlineShare: 'share of 1:1 messages whose recipient is offline when sent',
  backlogLengths: 'backlog length -> share of backlogs (messages an offline recipient finds on return)',
  activeConversationsPerUser: 'conversations a user opens on a day',
  readsPerConversationPerDay: 'times a day a user opens each of those conversations',
  conversationsPerUser: 'conversations a user is in',
  newConversationsPerUserPerDay: 'conversations a user starts per day',
  reconnectsPerUserPerDay: 'reconnects per active user per day',
  conversationsChangedPerReconnect: 'conversations where statuses changed while the user was away',
  changesPerConversation: 'messages whose status changed per such conversation',
  receiptsOffShare: 'share of users with read receipts off',
  togglesPerUserPerYear: 'read-receipt setting changes per user per year',
  peakToAverage: 'peak traffic over the daily average',
  concurrentShare: 'share of daily users connected at once',
  connectionBytes: 'server memory per open connection, bytes',
  connectionsPerServer: 'connections one chat server holds',
  chatServerCores: 'cores per chat server (one Node process per core)',
  targetUtilisation: 'how busy a server or database node may be at peak (queues grow without bound near 1)',
  messageBytes: 'bytes per text message (text and metadata)',
  mediaShare: 'share of messages carrying media',
  mediaBytes: 'bytes per media item',
  typicalSeq: 'a typical message sequence number in a conversation (sets digits in status frames)',
  stormUsers: 'users reconnecting at once to one node in the storm simulation',
  stormWindowSeconds: 'seconds the storm arrives within',
} as const;

export type WorkloadKey = keyof typeof WORKLOAD_KEYS;
const DISTRIBUTIONS = new Set<WorkloadKey>(['groupSizes', 'backlogLengths']);
const SHARES = new Set<WorkloadKey>(['directShare', 'offlineShare', 'receiptsOffShare', 'concurrentShare', 'mediaShare', 'targetUtilisation']);
const POSITIVE = new Set<WorkloadKey>(['dailyActiveUsers', 'messagesPerUserPerDay', 'peakToAverage', 'connectionBytes', 'connectionsPerServer', 'chatServerCores', 'messageBytes', 'conversationsPerUser', 'typicalSeq', 'activeConversationsPerUser', 'readsPerConversationPerDay', 'targetUtilisation', 'stormUsers', 'stormWindowSeconds']);

export type WorkloadDefinition = { name: string; description?: string; models?: string[]; baseline?: string } & {
  [K in WorkloadKey]: K extends 'groupSizes' | 'backlogLengths' ? Entry<Distribution> : Entry<number>;
};

export interface Workload {
  name: string;
  description?: string;
  models?: string[];
  baseline?: string;
  inputs: { [K in WorkloadKey]: Input<K extends 'groupSizes' | 'backlogLengths' ? Distribution : number> };
}

/** Typed authoring of a workload file (`export default defineWorkload({...})`). */
export function defineWorkload(definition: WorkloadDefinition): WorkloadDefinition {
  return definition;
}

export class WorkloadError extends Error {
  override name = 'WorkloadError';
}

const META = new Set(['name', 'description', 'models', 'baseline']);

/** Validates anything claiming to be a workload; every error is one line naming the key. */
export function parseWorkload(data: unknown, source: string, registeredModels: readonly string[]): Workload {
  const fail = (key: string, message: string): never => {
    throw new WorkloadError(`workload ${source}: ${key}: ${message}`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) fail('(root)', 'expected an object of inputs (export default defineWorkload({...}))');
  const record = data as Record<string, unknown>;
  const keys = Object.keys(WORKLOAD_KEYS);
  for (const key of Object.keys(record)) {
    if (!META.has(key) && !keys.includes(key)) fail(key, `unknown key; valid keys: ${[...META, ...keys].join(', ')}`);
  }
  if (typeof record.name !== 'string' || record.name.trim() === '') fail('name', 'expected a non-empty string');
  if (record.description !== undefined && typeof record.description !== 'string') fail('description', 'expected a string');
  let models: string[] | undefined;
  if (record.models !== undefined) {
    if (!Array.isArray(record.models) || record.models.length === 0 || !record.models.every((m) => typeof m === 'string')) fail('models', 'expected a non-empty list of model ids');
    models = record.models as string[];
    for (const model of models) if (!registeredModels.includes(model)) fail('models', `unknown model "${model}"; valid models: ${registeredModels.join(', ')}`);
    if (new Set(models).size !== models.length) fail('models', 'a model is named twice');
  }
  if (record.baseline !== undefined) {
    if (typeof record.baseline !== 'string' || !registeredModels.includes(record.baseline)) fail('baseline', `unknown model ${JSON.stringify(record.baseline)}; valid models: ${registeredModels.join(', ')}`);
    if (models && !models.includes(record.baseline as string)) fail('baseline', `"${String(record.baseline)}" is not among models (${models.join(', ')})`);
  }
  const inputs: Record<string, Input<unknown>> = {};
  for (const key of keys as WorkloadKey[]) {
    if (!(key in record)) fail(key, `missing (${WORKLOAD_KEYS[key]})`);
    const raw = record[key];
    const entry = isInput(raw) ? raw : { value: raw, basis: 'given' as const, why: 'given in the workload file' };
    if (!['design', 'ours', 'given'].includes(entry.basis)) fail(key, `basis must be "design" or "ours", got ${JSON.stringify(entry.basis)}`);
    if (typeof entry.why !== 'string' || entry.why.trim() === '') fail(key, 'why must say where the value comes from');
    inputs[key] = { value: DISTRIBUTIONS.has(key) ? distribution(key, entry.value, fail) : scalar(key, entry.value, fail), basis: entry.basis, why: entry.why };
  }
  return { name: record.name as string, ...(record.description ? { description: record.description as string } : {}), ...(models ? { models } : {}), ...(record.baseline ? { baseline: record.baseline as string } : {}), inputs: inputs as Workload['inputs'] };
}

function isInput(raw: unknown): raw is Input<unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'value' in raw;
}

function scalar(key: WorkloadKey, value: unknown, fail: (key: string, message: string) => never): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(key, `expected a number, got ${JSON.stringify(value)}`);
  if (value < 0) return fail(key, `must not be negative, got ${value}`);
  if (POSITIVE.has(key) && value === 0) return fail(key, 'must be greater than 0');
  if (SHARES.has(key) && value > 1) return fail(key, `is a share: from 0 to 1, got ${value}`);
  return value;
}

function distribution(key: WorkloadKey, value: unknown, fail: (key: string, message: string) => never): Distribution {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(key, 'expected an object of value -> share, e.g. {"3": 0.5, "10": 0.5}');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return fail(key, 'give at least one value');
  const [min, max] = key === 'groupSizes' ? [3, 1024] : [1, 100_000];
  let total = 0;
  for (const [size, share] of entries) {
    const n = Number(size);
    if (!Number.isInteger(n) || n < min || n > max) fail(key, `${JSON.stringify(size)} must be an integer from ${min} to ${max}`);
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) fail(key, `share of ${size} must be a non-negative number, got ${JSON.stringify(share)}`);
    total += share as number;
  }
  if (Math.abs(total - 1) > 1e-9) fail(key, `shares sum to ${Number(total.toFixed(6))}, not 1`);
  return Object.fromEntries(entries.map(([size, share]) => [String(Number(size)), share as number]).sort((a, b) => Number(a[0]) - Number(b[0])));
}

/** Plain values of every input, for arithmetic. */
export function values(workload: Workload): { [K in WorkloadKey]: Workload['inputs'][K]['value'] } {
  return Object.fromEntries(Object.entries(workload.inputs).map(([key, input]) => [key, input.value])) as never;
}

export function mean(distribution: Distribution): number {
  return Object.entries(distribution).reduce((sum, [value, share]) => sum + Number(value) * share, 0);
}
