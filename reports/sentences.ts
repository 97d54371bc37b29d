// Plain-language readings of a run, one writer per scenario. Every number comes from the run's
// measured per-action figures; the writers only choose which figures answer the scenario's
// question. Scenarios without a writer get the generic one.
import type { ActionKind } from '../analysis/metric-names.ts';
import type { RunResults } from '../analysis/results-schema.ts';
import { actionsPerformed, BASE_MODEL, CHALLENGER_MODEL, formatNumber, formatRatio, perAction, ratio } from './figures.ts';

export type SentenceWriter = (results: RunResults) => string[];

function pair(results: RunResults, action: ActionKind, figure: 'db.rows_written' | 'db.rows_read' | 'ws.events_pushed') {
  const naive = perAction(results, BASE_MODEL, action, figure);
  const watermark = perAction(results, CHALLENGER_MODEL, action, figure);
  return { naive: formatNumber(naive), watermark: formatNumber(watermark), ratio: formatRatio(ratio(naive, watermark)), has: naive !== undefined && watermark !== undefined };
}

function param(results: RunResults, key: string): string {
  const value = results.params[key];
  return value === undefined ? '?' : String(value);
}

const vacationBacklog: SentenceWriter = (r) => {
  const out: string[] = [];
  const read = pair(r, 'read', 'db.rows_written');
  if (read.has) out.push(`Opening a chat with a ${param(r, 'backlog')}-message backlog costs naive ${read.naive} row writes and watermark ${read.watermark} (naive/watermark ${read.ratio}).`);
  const deliver = pair(r, 'deliver', 'db.rows_written');
  if (deliver.has) out.push(`Acknowledging delivery of that backlog on reconnect costs naive ${deliver.naive} row writes and watermark ${deliver.watermark}.`);
  const events = pair(r, 'read', 'ws.events_pushed');
  if (events.has) out.push(`The sender receives ${events.naive} status events per read under naive and ${events.watermark} under watermark.`);
  out.push('The backlog arrives as one sync batch acknowledged once; live messages to an online client are acknowledged one by one, which is why group-1000 shows a different picture.');
  return out;
};

const group1000: SentenceWriter = (r) => {
  const out: string[] = [];
  const deliver = pair(r, 'deliver', 'db.rows_written');
  if (deliver.has) out.push(`In a group of ${param(r, 'members')}, each delivery acknowledgement costs naive ${deliver.naive} row writes and watermark ${deliver.watermark}: live messages are acknowledged one by one, so delivery costs are alike here and the difference is in reads.`);
  const read = pair(r, 'read', 'db.rows_written');
  if (read.has) out.push(`Each read (a member opening the chat after ${param(r, 'readEvery')} messages) costs naive ${read.naive} row writes and watermark ${read.watermark} (naive/watermark ${read.ratio}).`);
  const events = pair(r, 'read', 'ws.events_pushed');
  if (events.has) out.push(`Receipt events sent back per read: naive ${events.naive}, watermark ${events.watermark}.`);
  const readBy = pair(r, 'read_by', 'db.rows_read');
  if (readBy.has) out.push(`Answering "read by X of Y" reads naive ${readBy.naive} rows and watermark ${readBy.watermark}.`);
  return out;
};

const massReconnect: SentenceWriter = (r) => {
  const out: string[] = [];
  const events = pair(r, 'reconnect', 'ws.events_pushed');
  if (events.has) out.push(`Each reconnect after ${param(r, 'changes')} changes in each of ${param(r, 'conversations')} conversations pushes naive ${events.naive} status events and watermark ${events.watermark} (naive/watermark ${events.ratio}).`);
  const reads = pair(r, 'reconnect', 'db.rows_read');
  if (reads.has) out.push(`Catching one client up reads naive ${reads.naive} rows and watermark ${reads.watermark}.`);
  return out;
};

const receiptsToggle: SentenceWriter = (r) => {
  const out: string[] = [];
  const toggle = pair(r, 'toggle', 'db.rows_written');
  if (toggle.has) out.push(`Turning read receipts off for a user in ${param(r, 'conversations')} conversations costs naive ${toggle.naive} row writes and watermark ${toggle.watermark}.`);
  const lookups = pair(r, 'open', 'db.rows_read');
  if (lookups.has) out.push(`Each chat open afterwards costs naive ${lookups.naive} setting look-ups (rows read) and watermark ${lookups.watermark}.`);
  return out;
};

/** For scenarios without a writer: one sentence per action where the models differ. */
export const genericSentences: SentenceWriter = (r) =>
  actionsPerformed(r)
    .map((action) => ({ action, rows: pair(r, action, 'db.rows_written') }))
    .filter(({ rows }) => rows.has && rows.naive !== rows.watermark)
    .map(({ action, rows }) => `A ${action} action costs naive ${rows.naive} row writes and watermark ${rows.watermark} (naive/watermark ${rows.ratio}).`);

export const SENTENCES: Record<string, SentenceWriter> = {
  'vacation-backlog': vacationBacklog,
  'group-1000': group1000,
  'mass-reconnect': massReconnect,
  'receipts-toggle': receiptsToggle,
};

export function sentencesFor(results: RunResults): string[] {
  if (!results.models[BASE_MODEL] || !results.models[CHALLENGER_MODEL]) {
    return [`This run measured ${Object.keys(results.models).join(', ')}; the naive/watermark comparison needs both.`];
  }
  const writer = SENTENCES[results.scenario] ?? genericSentences;
  const sentences = writer(results);
  return sentences.length > 0 ? sentences : genericSentences(results);
}
