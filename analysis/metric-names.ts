// The metric and action names are the contract shared by reports, gates and queries (SPEC.md).
// No Node imports: the k6 driver imports this file too.

// `connect` is a first login (no local state to sync) and `read_by` a "read by X of Y" query:
// both are extras beyond the spec's six, kept apart so they do not dilute `reconnect` or `read`.
// `flush` is the one action a server does on its own: a buffering model (write-behind) writing
// what its acks left in memory; its count is the number of flushes that wrote anything.
export const ACTION_KINDS = ['send', 'deliver', 'read', 'reconnect', 'toggle', 'open', 'connect', 'read_by', 'flush'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_FIGURES = [
  'db.statements',
  'db.rows_written',
  'db.rows_read',
  'ws.events_pushed',
  'ws.bytes_pushed',
] as const;
export type ActionFigure = (typeof ACTION_FIGURES)[number];

export const LATENCY_METRICS = ['latency.ack', 'latency.delivery', 'latency.receipt', 'latency.sync'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const QUANTILES = ['p50', 'p95', 'p99', 'max'] as const;
export type QuantileName = (typeof QUANTILES)[number];

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}
