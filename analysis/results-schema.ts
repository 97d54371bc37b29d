// The results contract (SPEC.md "Results contract"). Everything downstream of a run (the store,
// reports, gates) reads results through `parseResults`, so a malformed or foreign file fails
// loudly at the boundary instead of producing a wrong chart.
import { z } from 'zod';
import { ACTION_KINDS, LATENCY_METRICS } from './metric-names.ts';

const count = z.number().int().nonnegative();

export const actionFiguresSchema = z.object({
  count,
  'db.statements': count,
  'db.rows_written': count,
  'db.rows_read': count,
  'ws.events_pushed': count,
  'ws.bytes_pushed': count,
  /** explicit transactions: each a BEGIN and a COMMIT (or ROLLBACK), round trips not in `db.statements` */
  'db.transactions': count.optional(),
});

export const latencySummarySchema = z.object({
  count,
  min: z.number().nonnegative().optional(),
  mean: z.number().nonnegative().optional(),
  p50: z.number().nonnegative(),
  p95: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  max: z.number().nonnegative(),
  /** latency.receipt only: receipts a reader sent that never reached the sender (fails the tick check) */
  missing: count.optional(),
  /** offered and sustained rates from the samples (analysis/saturation.ts): queueing when the server fell behind */
  load: z.object({ offered_per_s: z.number().nonnegative(), sustained_per_s: z.number().nonnegative(), queueing: z.boolean() }).optional(),
});

export const dbTruthSchema = z.object({
  /** app-side rows written (query layer), all actions plus setup, over the run's schema */
  app_rows_written: count,
  /** the database's own n_tup_ins + n_tup_upd + n_tup_del over the run's schema */
  tuples_written: count,
  /** WAL over the scenario's phases only (server-wide LSN difference; see `wal`) */
  wal_bytes: count,
  /** true only when every table's tuples equal the rows counted for it and every audited frame agreed */
  consistent: z.boolean(),
  /** per table: tuple counters, rows held at the end, rows the query layer wrote, bytes on disk with indexes */
  tables: z
    .record(z.string(), z.object({ ins: count, upd: count, del: count, rows: count.optional(), app_rows_written: count.optional(), bytes: count.optional() }))
    .optional(),
  /** per table: where the query layer's count and Postgres's disagree */
  table_mismatches: z.array(z.string()).optional(),
  /** frames run in a transaction whose writes Postgres counted per table (per-action attribution) */
  audit: z.object({ frames: z.record(z.string(), count), mismatches: count, examples: z.array(z.string()) }).optional(),
  wal: z
    .object({
      scope: z.literal('server'),
      server: z.enum(['embedded', 'shared']),
      full_page_writes: z.string(),
      synchronous_commit: z.string(),
      wal_level: z.string(),
      setup_bytes: count,
      database_statement_bytes: count.nullable(),
      other_databases_transactions: count,
      idle_baseline_bytes_per_s: count.optional(),
    })
    .optional(),
  /** the cross-check could not be made (why) */
  check_error: z.string().optional(),
});

export const phaseSchema = z.object({
  name: z.string(),
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  wal_bytes: count,
  /** WAL of the run database's own statements in this phase, where the server tracks it */
  database_statement_wal_bytes: count.optional(),
  actions: z.record(z.string(), count),
});

export const timelinePointSchema = z.object({
  /** whole seconds since the model's run started */
  t: z.number().int().nonnegative(),
  connections: count,
  connects: count,
  events_pushed: count,
  bytes_pushed: count,
});

/** A node lost mid-run (`--kill-node-at`); fields beyond these are kept as they are. */
export const recoverySchema = z.looseObject({
  killed_node: z.string().nullable().optional(),
  /** what the killed node's model held acknowledged but not yet in Postgres, at the instant it died */
  pending_at_kill: z.object({ marks: count, receipts: count }).optional(),
});

export const modelResultSchema = z.object({
  /** the model's options as the run used them (defaults included) */
  options: z.record(z.string(), z.number()).optional(),
  actions: z.partialRecord(z.enum(ACTION_KINDS), actionFiguresSchema),
  /** rows written for delivered/read acks (by the acks or by flushes), per ack */
  receipts: z.object({ acks: count, rows_written: count, rows_per_ack: z.number().nonnegative().nullable() }).optional(),
  /** nearest rank over the raw samples (analysis/quantiles.ts), the one definition everywhere */
  latency: z.partialRecord(z.enum(LATENCY_METRICS), latencySummarySchema),
  /** the same samples as merged HDR histograms, labelled: not the source of any quantile shown */
  latency_hdr: z.object({ format: z.string(), histograms: z.record(z.string(), z.string()) }).optional(),
  db: dbTruthSchema,
  errors: z.record(z.string(), count),
  /** frames clients sent again after a failover, per action (statements the server counted for them are in that action) */
  resends: z.record(z.string(), count).optional(),
  check: z.object({
    ticks_consistent: z.boolean(),
    messages_checked: count.optional(),
    mismatches: count.optional(),
    examples: z.array(z.string()).optional(),
    /** messages whose stored tick is below the tick their sender was pushed and shows */
    acked_receipts_lost: count.optional(),
    /** messages compared for it (all of them after a node was killed, else a sample) */
    acked_receipts_checked: count.optional(),
  }),
  server: z
    .object({
      cpu_ms: z.number().nonnegative(),
      rss_max_bytes: count,
      event_loop_lag_p99_ms: z.number().nonnegative(),
      /** per action: wall time of its statements as the query layer timed them, ms */
      db_ms: z.record(z.string(), z.number().nonnegative()).optional(),
    })
    .optional(),
  phases: z.array(phaseSchema).optional(),
  timeline: z.array(timelinePointSchema).optional(),
  wallMs: z.number().nonnegative().optional(),
  /** raw latency samples recorded by the driver, per metric; the store must hold exactly these */
  samples: z.record(z.string(), count).optional(),
  recovery: recoverySchema.optional(),
});

export const machineSchema = z.object({
  cores: count,
  memoryBytes: count,
  platform: z.string(),
  cpuModel: z.string().optional(),
  node: z.string(),
});

export const resultsSchema = z.object({
  runId: z.string().min(1),
  scenario: z.string().min(1),
  seed: z.number().int(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  driver: z.string().min(1),
  startedAt: z.string().min(1),
  finishedAt: z.string().optional(),
  gitSha: z.string(),
  nodes: count.optional(),
  machine: machineSchema.optional(),
  postgresVersion: z.string().optional(),
  command: z.string().optional(),
  /** set when this run is one point of a sweep: the same id across the sweep's runs */
  sweepId: z.string().optional(),
  /** the model every other is compared against (`--baseline`; default: the first listed) */
  baseline: z.string().optional(),
  /** k6 runs: load-generator processes (runners) whose samples the run holds */
  runners: count.optional(),
  /** a run brought back with parts missing (`k6 collect --allow-incomplete`): what was missing */
  incomplete: z.array(z.string()).optional(),
  models: z.record(z.string(), modelResultSchema),
});

export type ActionFigures = z.infer<typeof actionFiguresSchema>;
export type LatencySummary = z.infer<typeof latencySummarySchema>;
export type DbTruth = z.infer<typeof dbTruthSchema>;
export type ModelResult = z.infer<typeof modelResultSchema>;
export type RunResults = z.infer<typeof resultsSchema>;
export type Phase = z.infer<typeof phaseSchema>;
export type TimelinePoint = z.infer<typeof timelinePointSchema>;

export class ResultsValidationError extends Error {}

/** Validates anything claiming to be a results document; `source` names it in the error. */
export function parseResults(data: unknown, source = 'results'): RunResults {
  const parsed = resultsSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ResultsValidationError(`${source} is not a valid chatbench results document: ${issues}`);
  }
  return parsed.data;
}

/**
 * Raw latency samples kept beside results.json as `samples.tsv` (TSVWithNames, which ClickHouse
 * ingests natively): one row per sample.
 */
export const SAMPLES_FILE = 'samples.tsv';
export const RESULTS_FILE = 'results.json';
export const SAMPLES_HEADER = ['model', 'metric', 't_ms', 'value_ms', 'tags'] as const;
export interface Sample {
  model: string;
  metric: string;
  /** ms since the model's run started */
  t_ms: number;
  value_ms: number;
  /** JSON object text, '{}' when untagged */
  tags: string;
}
