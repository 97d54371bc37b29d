// `chatbench k6 collect`: a k6-operator run's files back into one run, assembled exactly as a
// local run is (drivers/model-result.ts): every runner's JSON output (samples, counts, ticks,
// receipt log), the coordinator record (phases, WAL, setup rows, the database's counters before,
// the server nodes' figures once the runners left) and the database's counters now, read once
// the nodes are stopped. A runner file that is
// missing, cut short or foreign is named; such a run is refused unless the caller accepts it
// marked incomplete, with its check failed.
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { RunResults, Sample } from '../../analysis/results-schema.ts';
import { CountingDb } from '../../reference-server/db/query-layer.ts';
import { postgresVersion } from '../../reference-server/db/postgres.ts';
import { readTupleCounters, TruthUnavailableError, type DbTruthSnapshot } from '../../reference-server/db/truth.ts';
import type { NodeMetricsSnapshot } from '../../reference-server/server.ts';
import { MODELS, modelIds } from '../../reference-server/models/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { buildModelResult } from '../model-result.ts';
import { checkStoredTicks, type StoredCheck } from '../checks.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { standaloneContext } from '../../reference-server/models/types.ts';
import { combineReports } from '../outcome.ts';
import type { DriverOutcome } from '../types.ts';
import { executionSegments } from './driver.ts';
import { readK6Output, unfinishedVus, type K6Output } from './output.ts';
import { coordinatorRecordSchema, readRunFile, RUN_FILES, RunFileError, runConfigSchema, type CoordinatorRecord, type RunConfig } from './run-files.ts';

export interface CollectOptions {
  dir: string;
  runConfigPath: string;
  /** the run's database (as the server nodes and the coordinator used it) */
  pgUrl: string;
  /** store a run with parts missing, marked incomplete (its check fails) */
  allowIncomplete?: boolean;
  gitSha: string;
  command: string;
  progress?(line: string): void;
}

export interface CollectedRun {
  results: RunResults;
  samples: Sample[];
  /** the runner files read, in order */
  runnerFiles: string[];
  /** what was missing or cut short (empty for a whole run) */
  problems: string[];
}

/** The run's files are not whole: each problem names a file, a runner or a VU. */
export class IncompleteRunError extends Error {
  constructor(readonly problems: string[]) {
    super(`the run is incomplete, nothing stored:\n  ${problems.join('\n  ')}\n(--allow-incomplete stores it marked incomplete, its check failed)`);
  }
}

export async function collectRun(options: CollectOptions): Promise<CollectedRun> {
  const progress = options.progress ?? (() => {});
  const config = readRunFile(options.runConfigPath, runConfigSchema);
  const scenario = SCENARIOS[config.scenario];
  if (!scenario) throw new RunFileError(`${options.runConfigPath}: scenario: unknown scenario "${config.scenario}"`);
  const model = MODELS[config.model];
  if (!model) throw new RunFileError(`${options.runConfigPath}: model: unknown model "${config.model}"; valid models: ${modelIds().join(', ')}`);
  const plan = scenario.plan(config.params as never, config.seed);
  const record = readRunFile(join(options.dir, RUN_FILES.coordinator), coordinatorRecordSchema);
  sameRun(config, record, join(options.dir, RUN_FILES.coordinator));

  const runnerFiles = listRunnerFiles(options.dir, options.runConfigPath);
  progress(`reading ${runnerFiles.length} runner files`);
  const outputs: K6Output[] = [];
  const problems: string[] = [];
  for (const file of runnerFiles) {
    try {
      const output = await readK6Output(file, model.id, record.runStart);
      if (output.vusStarted.length === 0) problems.push(`${file}: holds no chatbench VU (not a runner's output?)`);
      const unfinished = unfinishedVus(output);
      if (unfinished.length) problems.push(`${file}: truncated (VU ${unfinished.join(', ')} began but never reported everything)`);
      outputs.push(output);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  problems.push(...coverage(config, outputs, runnerFiles, options.dir));
  if (problems.length && !options.allowIncomplete) throw new IncompleteRunError(problems);

  if (!sameServers(config.servers, record.nodes.map((node) => node.url))) {
    throw new RunFileError(`${join(options.dir, RUN_FILES.coordinator)}: figures of nodes ${record.nodes.map((node) => node.url).join(', ')}, the run config names ${config.servers.join(', ')}`);
  }
  const snapshots = record.nodes.map((node) => node.figures as unknown as NodeMetricsSnapshot);
  progress('reading the database');
  const pool = new pg.Pool({ connectionString: options.pgUrl, max: 1 });
  let serverCheck: StoredCheck;
  try {
    // stored ticks through an instance of its own, at the model's default options (the nodes drained before every mark)
    const counting = new CountingDb(pool);
    const reader = model.create(standaloneContext(counting, defaultOptions(model.id)));
    serverCheck = await checkStoredTicks(plan, reader, counting.for('check'), { all: false, lossIsExpected: false });
    await reader.close?.();
  } finally {
    await pool.end();
  }
  // the nodes must be gone: their connections keep Postgres's counters back
  let truth: DbTruthSnapshot | undefined;
  let checkError: string | undefined;
  try {
    truth = since(record.baseline, await readTupleCounters(options.pgUrl));
  } catch (error) {
    if (!(error instanceof TruthUnavailableError)) throw error;
    checkError = `${error.message}; stop the server nodes before k6 collect`;
  }

  const outcome: DriverOutcome = {
    ...combineReports(outputs, model.id, record.runStart),
    phaseErrors: record.phaseErrors,
    generator: { processes: outputs.length, cpuMs: 0, rssBytes: 0 },
  };
  const { result, samples } = buildModelResult({
    plan,
    outcome,
    snapshots,
    setup: record.setup,
    truth,
    ...(checkError ? { checkError } : {}),
    wal: record.wal,
    phases: record.phases,
    serverCheck,
    wallMs: record.finishedAt - record.runStart,
  });
  if (problems.length) {
    result.check.ticks_consistent = false;
    result.check.examples = [`incomplete: ${problems[0]}`, ...(result.check.examples ?? [])].slice(0, 10);
  }
  const startedAt = new Date(record.runStart);
  const results: RunResults = {
    runId: `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${config.scenario}-k6-${randomBytes(3).toString('hex')}`,
    scenario: config.scenario,
    seed: config.seed,
    params: config.params,
    driver: 'k6',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(record.finishedAt).toISOString(),
    gitSha: options.gitSha,
    nodes: config.servers.length,
    runners: outputs.length,
    ...(problems.length ? { incomplete: problems } : {}),
    postgresVersion: await postgresVersion(options.pgUrl),
    command: options.command,
    models: { [model.id]: result },
  };
  return { results, samples, runnerFiles, problems };
}

/** Every `.json` in the directory but the coordinator record and the run config. */
function listRunnerFiles(dir: string, runConfigPath: string): string[] {
  const skip = new Set([RUN_FILES.coordinator]);
  if (resolve(dir) === resolve(runConfigPath, '..')) skip.add(basename(runConfigPath));
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !skip.has(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Every runner's segment and every VU reported exactly once over the files read. */
function coverage(config: RunConfig, outputs: K6Output[], files: string[], dir: string): string[] {
  const problems: string[] = [];
  const seen = new Set(outputs.flatMap((output) => output.segments));
  for (const segment of executionSegments(config.parallelism).segments) {
    if (!seen.has(segment)) problems.push(`runner with execution segment ${segment} (of ${config.parallelism}): no whole output file in ${dir}`);
  }
  const owner = new Map<number, number>();
  for (const [index, output] of outputs.entries()) {
    for (const vu of output.vusDone) {
      const other = owner.get(vu);
      if (other !== undefined) problems.push(`VU ${vu} reported in two files: ${files[other]} and ${files[index]} (a file of another run?)`);
      owner.set(vu, index);
    }
  }
  const never = Array.from({ length: config.vus }, (_, vu) => vu).filter((vu) => !owner.has(vu));
  if (never.length) problems.push(`VUs ${never.join(', ')} of ${config.vus} never reported (their runner's file is missing or cut short)`);
  return problems;
}

function sameRun(config: RunConfig, record: CoordinatorRecord, path: string): void {
  const differ = (['scenario', 'seed', 'model', 'vus'] as const).filter((key) => config[key] !== record[key]);
  if (JSON.stringify(config.params) !== JSON.stringify(record.params)) differ.push('params' as never);
  if (differ.length) throw new RunFileError(`${path}: another run than the run config (${differ.map((key) => `${key} ${JSON.stringify(record[key])} vs ${JSON.stringify(config[key])}`).join(', ')})`);
}

function sameServers(a: string[], b: string[]): boolean {
  const norm = (urls: string[]) => urls.map((url) => url.replace(/\/$/, '')).sort().join(',');
  return norm(a) === norm(b);
}

/** The database's counters over the run: now minus before (rows and sizes as they are now). */
function since(before: CoordinatorRecord['baseline'], now: DbTruthSnapshot): DbTruthSnapshot {
  const tables: DbTruthSnapshot['tables'] = {};
  for (const [table, counters] of Object.entries(now.tables)) {
    const old = before.tables[table];
    tables[table] = { ...counters, ins: counters.ins - (old?.ins ?? 0), upd: counters.upd - (old?.upd ?? 0), del: counters.del - (old?.del ?? 0) };
  }
  return { tables, tuplesWritten: now.tuplesWritten - before.tuplesWritten };
}
