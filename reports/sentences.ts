// Plain-language readings of a run, one writer per scenario, for any number of models. Every
// number comes from the run's measured figures; the writers only choose which figures answer the
// scenario's question, and every comparison is against the run's baseline model. Scenarios without
// a writer get the generic one; receipt rows per ack and a killed node's cost are said for any
// scenario.
import { queueingSentence } from '../analysis/saturation.ts';
import type { ActionKind } from '../analysis/metric-names.ts';
import type { RunResults } from '../analysis/results-schema.ts';
import { actionsPerformed, baselineOf, formatNumber, formatRatio, modelNames, perAction, ratio } from './figures.ts';

export type SentenceWriter = (results: RunResults) => string[];

type Figure = 'db.rows_written' | 'db.rows_read' | 'ws.events_pushed';

interface Costs {
  /** "naive 5 row writes and watermark 1", in model order */
  list: string;
  /** "naive/watermark 5×, naive/hybrid 1×": the baseline against every other model */
  versus: string;
  /** the baseline and at least one other model did the action */
  has: boolean;
  /** every model that did it did it at the same cost */
  alike: boolean;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function costs(results: RunResults, action: ActionKind, figure: Figure, unit: string): Costs {
  const baseline = baselineOf(results);
  const values = modelNames(results)
    .map((model) => ({ model, value: perAction(results, model, action, figure) }))
    .filter((entry): entry is { model: string; value: number } => entry.value !== undefined);
  const base = values.find((entry) => entry.model === baseline);
  const others = values.filter((entry) => entry.model !== baseline);
  return {
    list: joinAnd(values.map((entry, index) => `${entry.model} ${formatNumber(entry.value)}${index === 0 && unit ? ` ${unit}` : ''}`)),
    versus: others.map((entry) => `${baseline}/${entry.model} ${formatRatio(ratio(base?.value, entry.value), baseline)}`).join(', '),
    has: base !== undefined && others.length > 0,
    alike: values.every((entry) => entry.value === values[0]!.value),
  };
}

function param(results: RunResults, key: string): string {
  const value = results.params[key];
  return value === undefined ? '?' : String(value);
}

const vacationBacklog: SentenceWriter = (r) => {
  const out: string[] = [];
  const read = costs(r, 'read', 'db.rows_written', 'row writes');
  if (read.has) out.push(`Opening a chat with a ${param(r, 'backlog')}-message backlog costs ${read.list} (${read.versus}).`);
  const deliver = costs(r, 'deliver', 'db.rows_written', 'row writes');
  if (deliver.has) out.push(`Acknowledging delivery of that backlog on reconnect costs ${deliver.list}.`);
  const events = costs(r, 'read', 'ws.events_pushed', 'status events');
  if (events.has) out.push(`The sender receives, per read, ${events.list}.`);
  out.push('The backlog arrives as one sync batch acknowledged once; live messages to an online client are acknowledged one by one, which is why group-1000 shows a different picture.');
  return out;
};

const group1000: SentenceWriter = (r) => {
  const out: string[] = [];
  const deliver = costs(r, 'deliver', 'db.rows_written', 'row writes');
  if (deliver.has) out.push(`In a group of ${param(r, 'members')}, each delivery acknowledgement costs ${deliver.list}: live messages are acknowledged one by one, so delivery costs are alike here and the difference is in reads.`);
  const read = costs(r, 'read', 'db.rows_written', 'row writes');
  if (read.has) out.push(`Each read (a member opening the chat after ${param(r, 'readEvery')} messages) costs ${read.list} (${read.versus}).`);
  const events = costs(r, 'read', 'ws.events_pushed', '');
  if (events.has) out.push(`Receipt events sent back per read: ${events.list}.`);
  const readBy = costs(r, 'read_by', 'db.rows_read', 'rows');
  if (readBy.has) out.push(`Answering "read by X of Y" reads ${readBy.list}.`);
  return out;
};

const massReconnect: SentenceWriter = (r) => {
  const out: string[] = [];
  const events = costs(r, 'reconnect', 'ws.events_pushed', 'status events');
  if (events.has) out.push(`Each reconnect after ${param(r, 'changes')} changes in each of ${param(r, 'conversations')} conversations pushes ${events.list} (${events.versus}).`);
  const reads = costs(r, 'reconnect', 'db.rows_read', 'rows');
  if (reads.has) out.push(`Catching one client up reads ${reads.list}.`);
  return out;
};

const receiptsToggle: SentenceWriter = (r) => {
  const out: string[] = [];
  const toggle = costs(r, 'toggle', 'db.rows_written', 'row writes');
  if (toggle.has) out.push(`Turning read receipts off for a user in ${param(r, 'conversations')} conversations costs ${toggle.list}.`);
  const lookups = costs(r, 'open', 'db.rows_read', 'setting look-ups (rows read)');
  if (lookups.has) out.push(`Each chat open afterwards costs ${lookups.list}.`);
  return out;
};

/** For scenarios without a writer: one sentence per action where the models differ. */
export const genericSentences: SentenceWriter = (r) =>
  actionsPerformed(r)
    .map((action) => ({ action, rows: costs(r, action, 'db.rows_written', 'row writes') }))
    .filter(({ rows }) => rows.has && !rows.alike)
    .map(({ action, rows }) => `A ${action} action costs ${rows.list} (${rows.versus}).`);

/** Receipt rows per ack, flushes included: how a buffering model's coalescing shows. */
function perAckSentence(r: RunResults): string[] {
  const values = modelNames(r).flatMap((model) => {
    const perAck = r.models[model]!.receipts?.rows_per_ack;
    return perAck === undefined || perAck === null ? [] : [`${model} ${formatNumber(perAck)}`];
  });
  const flushing = modelNames(r).filter((model) => (r.models[model]!.actions.flush?.count ?? 0) > 0);
  if (values.length < 2 || flushing.length === 0) return [];
  const flushes = flushing.map((model) => {
    const flush = r.models[model]!.actions.flush!;
    return `${model} wrote its acks in ${formatNumber(flush.count)} flushes of ${formatNumber(flush['db.rows_written'] / flush.count)} rows each`;
  });
  return [`Receipt rows written per delivered or read ack, flushes included: ${joinAnd(values)}; ${joinAnd(flushes)}.`];
}

/** A node killed mid-run: what each model lost of what it had acknowledged. */
function durabilitySentence(r: RunResults): string[] {
  const measured = modelNames(r).filter((model) => r.models[model]!.recovery?.killed_node && r.models[model]!.check.acked_receipts_lost !== undefined);
  if (!measured.length) return [];
  const parts = measured.map((model) => {
    const result = r.models[model]!;
    const window = result.recovery?.pending_at_kill;
    const options = Object.entries(result.options ?? {}).map(([name, value]) => `${name} ${value}`).join(', ');
    const held = window && window.receipts > 0 ? ` (its killed node held ${formatNumber(window.receipts)} not yet in Postgres${options ? `; ${options}` : ''})` : '';
    return `${model} ${formatNumber(result.check.acked_receipts_lost!)}${held}`;
  });
  return [`A server node was killed mid-run. Acknowledged receipts lost (the sender was shown the tick, Postgres does not have it): ${joinAnd(parts)}.`];
}

export const SENTENCES: Record<string, SentenceWriter> = {
  'vacation-backlog': vacationBacklog,
  'group-1000': group1000,
  'mass-reconnect': massReconnect,
  'receipts-toggle': receiptsToggle,
};

export function sentencesFor(results: RunResults): string[] {
  const models = Object.keys(results.models);
  if (models.length < 2) return [`This run measured only ${models.join(', ')}: there is no other model to compare it with.`, ...durabilitySentence(results), ...queueingSentences(results)];
  const writer = SENTENCES[results.scenario] ?? genericSentences;
  const sentences = writer(results);
  return [...(sentences.length > 0 ? sentences : genericSentences(results)), ...perAckSentence(results), ...durabilitySentence(results), ...queueingSentences(results)];
}

/** A latency that measured a queue says so, per model and metric: the offered rate outran the server. */
function queueingSentences(results: RunResults): string[] {
  const sentences: string[] = [];
  for (const [model, result] of Object.entries(results.models)) {
    for (const [metric, summary] of Object.entries(result.latency)) {
      if (summary?.load?.queueing) sentences.push(`${model}: ${queueingSentence(metric, summary.load)}, so read its quantiles as time spent waiting, not as the model's cost.`);
    }
  }
  return sentences;
}
