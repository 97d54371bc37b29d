// Rows written per receipt ack, whatever the model: what the delivered and read acks wrote
// themselves plus what a buffering model's flushes wrote for them, over the number of acks. It
// is how write-behind's coalescing is measured rather than assumed (naive writes a row per
// message covered, watermark one per ack that moves a mark, write-behind less than one when a
// member's marks move several times within a flush window). No Node imports.
import type { ActionKind } from './metric-names.ts';

type Figures = { count: number; 'db.rows_written': number };

/** the actions that are receipt acks, and those that write receipts on their behalf */
export const ACK_ACTIONS: readonly ActionKind[] = ['deliver', 'read'];
export const ACK_WRITERS: readonly ActionKind[] = ['deliver', 'read', 'flush'];

export interface ReceiptCosts {
  acks: number;
  rows_written: number;
  /** null when the run made no ack */
  rows_per_ack: number | null;
}

export function receiptCosts(actions: Partial<Record<ActionKind, Figures>>): ReceiptCosts {
  const acks = ACK_ACTIONS.reduce((sum, kind) => sum + (actions[kind]?.count ?? 0), 0);
  const rows = ACK_WRITERS.reduce((sum, kind) => sum + (actions[kind]?.['db.rows_written'] ?? 0), 0);
  return { acks, rows_written: rows, rows_per_ack: acks > 0 ? rows / acks : null };
}
