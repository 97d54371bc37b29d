// The files a k6-operator run leaves for `chatbench k6 collect`: the run config `k6 export` writes
// (which plan, which model, how many runners, where the server nodes are) and the record the
// coordinator writes when the runners finish (phases with their WAL, when the run started, the
// rows written outside the servers, the database's counters before the run). Each is checked
// field by field where it is read, and a bad one is named with its key.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { dbTruthSchema, phaseSchema } from '../../analysis/results-schema.ts';

export const RUN_CONFIG_FORMAT = 'chatbench-k6-run/1';
export const COORDINATOR_FORMAT = 'chatbench-k6-coordinator/1';
export const RUN_FILES = {
  runConfig: 'run-config.json',
  coordinator: 'coordinator.json',
};
/** what `k6 export` writes where the user has not said yet; collect refuses it, by name */
export const PLACEHOLDER = /^<.*>$/;

const serverUrl = z
  .string()
  .refine((url) => !PLACEHOLDER.test(url), 'still the placeholder `k6 export` wrote: set the server nodes\' ws:// URLs')
  .refine((url) => /^wss?:\/\/[^/\s]+\/?$/.test(url), 'expected ws://host:port');

export const runConfigSchema = z.object({
  format: z.literal(RUN_CONFIG_FORMAT),
  scenario: z.string().min(1),
  params: z.record(z.string(), z.number()),
  seed: z.number().int().nonnegative(),
  model: z.string().min(1),
  /** runners (pods), each with its own execution segment */
  parallelism: z.number().int().positive(),
  clientsPerVu: z.number().int().positive(),
  vus: z.number().int().positive(),
  /** the k6 release the export targets (the runners' image) */
  k6: z.object({ version: z.string().min(1), image: z.string().min(1) }),
  /** the server nodes' WebSocket URLs; each serves its figures at http://host:port/metrics */
  servers: z.array(serverUrl).min(1),
});
export type RunConfig = z.infer<typeof runConfigSchema>;

const tableCounters = z.object({ ins: z.number(), upd: z.number(), del: z.number(), bytes: z.number(), rows: z.number() });

export const coordinatorRecordSchema = z.object({
  format: z.literal(COORDINATOR_FORMAT),
  scenario: z.string(),
  params: z.record(z.string(), z.number()),
  seed: z.number().int(),
  model: z.string(),
  vus: z.number().int().positive(),
  /** epoch ms phase 1 was released: sample times count from here */
  runStart: z.number(),
  finishedAt: z.number(),
  phases: z.array(phaseSchema),
  phaseErrors: z.array(z.string()),
  /** what the coordinator wrote (migrations, seeding, bulk history), per action, counted at the query layer */
  setup: z.record(
    z.string(),
    z.object({ statements: z.number(), rowsWritten: z.number(), rowsRead: z.number(), transactions: z.number(), tables: z.record(z.string(), z.number()) }),
  ),
  /** the database's counters before anything of this run was written */
  baseline: z.object({ tuplesWritten: z.number(), tables: z.record(z.string(), tableCounters) }),
  /** WAL over the run: setup apart, the server's settings (drivers/wal-meter.ts) */
  wal: dbTruthSchema.shape.wal.unwrap(),
  /** each server node's figures (GET /metrics) once the runners had left, by its ws:// URL */
  nodes: z.array(z.object({ url: z.string(), figures: z.record(z.string(), z.unknown()) })).min(1),
});
export type CoordinatorRecord = z.infer<typeof coordinatorRecordSchema>;

export class RunFileError extends Error {}

/** Reads and validates one of these files; errors name the file and the first bad keys. */
export function readRunFile<T>(path: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof SyntaxError ? `not JSON (${error.message})` : String(error);
    throw new RunFileError(`${path}: ${reason}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new RunFileError(`${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

export function writeRunFile(path: string, data: unknown): void {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** A node's HTTP side (figures, drain, warm): the same host and port as its WebSocket. */
export function httpUrlOf(serverUrl: string): string {
  return serverUrl.replace(/^ws/, 'http').replace(/\/$/, '');
}

/** Where a node serves its figures. */
export function metricsUrlOf(serverUrl: string): string {
  return `${httpUrlOf(serverUrl)}/metrics`;
}
