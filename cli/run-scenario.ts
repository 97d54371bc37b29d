// `chatbench run` as a function: validates everything at the boundary (errors name the option),
// runs each model on its own fresh database one after the other, writes the run directory and
// stores it. Gates, sweeps and benchmarks call this too.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResults, Sample } from '../analysis/results-schema.ts';
import { defaultRunDir, persistRun, writeRunDir } from '../analysis/store/run-dir.ts';
import { firstLine } from '../analysis/store/engine.ts';
import type { OpenStoreOptions } from '../analysis/store/index.ts';
import { fileLimitProblem, openFileLimit } from '../drivers/file-limit.ts';
import { runModel } from '../drivers/orchestrator.ts';
import { DRIVERS, driverIds } from '../drivers/registry.ts';
import { formatKillNodeAt, parseKillNodeAt, type KillNodeAt } from '../reference-server/cluster/fault.ts';
import { checkRedis, RedisUnavailableError } from '../reference-server/cluster/redis-connect.ts';
import { redisServerBinary, startRedisServer, type RedisServerHandle } from '../reference-server/cluster/redis-server.ts';
import { connectPostgres, PostgresStartError, postgresVersion, redactUrl, type PostgresHandle } from '../reference-server/db/postgres.ts';
import { isConnectionLoss } from '../reference-server/db/connection-loss.ts';
import { MODELS, DEFAULT_MODELS, modelIds } from '../reference-server/models/registry.ts';
import { modelOptionFlags, ModelOptionError, resolveModelOptions, type ModelOptions } from '../reference-server/models/options.ts';
import { ParamError, resolveParams, type ScenarioDefinition } from '../scenarios/define.ts';
import type { Plan } from '../scenarios/plan.ts';
import { SCENARIOS, scenarioIds } from '../scenarios/registry.ts';
import { CliError, UsageError } from './exit-codes.ts';
import { prepareOutDir } from './out-dir.ts';

export const RUN_DEFAULTS = {
  seed: 1,
  driver: 'node',
  nodes: 1,
  maxNodes: 8,
};

export interface RunOptions {
  scenario: string;
  /** `key=value` strings as given to --set (a sweep adds its varied value last: last one wins) */
  sets?: string[];
  seed?: number;
  models?: string[];
  /** the model the others are compared against; default: the first of `models` */
  baseline?: string;
  /** `<model>.<option>=<value>` strings as given to --model-opt */
  modelOpts?: string[];
  driver?: string;
  nodes?: number;
  pgUrl?: string;
  /** several nodes share sessions through this Redis; without it a redis-server is started for the run */
  redisUrl?: string;
  /** `S` or `P:S` (S seconds into phase P): SIGKILL the busiest node then */
  killNodeAt?: string;
  /** an already running Postgres (sweeps start one for all their points); left running */
  postgres?: PostgresHandle;
  /** the run directory; default .chatbench/runs/<runId> */
  outDir?: string;
  /** false: do not store (the run directory is still written) */
  store?: OpenStoreOptions | false;
  sweepId?: string;
  command?: string;
  progress?: (line: string) => void;
  note?: (line: string) => void;
}

export interface RunOutcome {
  results: RunResults;
  dir: string;
  samples: Sample[];
  stored: { stored: boolean; alreadyStored: boolean; error?: string } | undefined;
}

export interface ValidatedRun {
  definition: ScenarioDefinition;
  params: Record<string, number>;
  seed: number;
  models: string[];
  baseline: string;
  modelOptions: ModelOptions;
  driver: string;
  nodes: number;
  /** Redis is needed: several nodes share sessions through it, or a model keeps its state in it */
  needsRedis: boolean;
  redisUrl?: string;
  killNodeAt?: KillNodeAt;
  /** the scenario's plan for these parameters and seed, built once here */
  plan: Plan;
}

export function validateRunOptions(options: RunOptions): ValidatedRun {
  const definition = SCENARIOS[options.scenario];
  if (!definition) throw new UsageError(`unknown scenario "${options.scenario}"; valid scenarios: ${scenarioIds().join(', ')}`);
  let params: Record<string, number>;
  try {
    params = resolveParams(definition, options.sets ?? []);
  } catch (error) {
    if (error instanceof ParamError) throw new UsageError(error.message);
    throw error;
  }
  const seed = options.seed ?? RUN_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed ${seed}: expected a non-negative integer`);
  const models = options.models ?? DEFAULT_MODELS;
  if (models.length === 0) throw new UsageError(`--models: name at least one of ${modelIds().join(', ')}`);
  for (const model of models) if (!MODELS[model]) throw new UsageError(`--models: unknown model "${model}"; valid models: ${modelIds().join(', ')}`);
  if (new Set(models).size !== models.length) throw new UsageError(`--models: a model is named twice (${models.join(',')})`);
  const baseline = options.baseline ?? models[0]!;
  if (!models.includes(baseline)) throw new UsageError(`--baseline ${baseline}: not among the models of this run (${models.join(', ')})`);
  let modelOptions: ModelOptions;
  try {
    modelOptions = resolveModelOptions(options.modelOpts ?? [], models);
  } catch (error) {
    if (error instanceof ModelOptionError) throw new UsageError(error.message);
    throw error;
  }
  const driver = options.driver ?? RUN_DEFAULTS.driver;
  if (!DRIVERS[driver]) throw new UsageError(`--driver: unknown driver "${driver}"; valid drivers: ${driverIds().join(', ')}`);
  const nodes = options.nodes ?? RUN_DEFAULTS.nodes;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > RUN_DEFAULTS.maxNodes) throw new UsageError(`--nodes ${nodes}: expected an integer from 1 to ${RUN_DEFAULTS.maxNodes}`);
  if (options.pgUrl !== undefined && !isPostgresUrl(options.pgUrl)) {
    throw new UsageError(`--pg-url ${JSON.stringify(options.pgUrl)}: expected postgres://user[:password]@host[:port]/database (or CHATBENCH_PG_URL unset)`);
  }
  if (options.redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(options.redisUrl)) {
    throw new UsageError(`--redis-url ${options.redisUrl}: expected redis://host:port[/db] (or rediss://)`);
  }
  // several nodes only make sense sharing one session registry: Redis
  if (nodes > 1 && options.redisUrl === undefined && !redisServerBinary()) {
    throw new UsageError(`--nodes ${nodes}: several nodes share sessions through Redis; pass --redis-url URL (or install redis-server, which is then started for the run)`);
  }
  const inRedis = models.filter((model) => MODELS[model]!.capabilities.redis);
  if (inRedis.length && options.redisUrl === undefined && !redisServerBinary()) {
    throw new UsageError(`--models ${inRedis.join(',')}: keeps its state in Redis; pass --redis-url URL (or install redis-server, which is then started for the run)`);
  }
  let killNodeAt: KillNodeAt | undefined;
  if (options.killNodeAt !== undefined) {
    killNodeAt = parseKillNodeAt(options.killNodeAt);
    if (!killNodeAt) throw new UsageError(`--kill-node-at ${options.killNodeAt}: expected seconds after the run starts (e.g. 2.5) or phase:seconds (e.g. 3:0.5)`);
    if (nodes < 2) throw new UsageError(`--kill-node-at needs --nodes 2 or more: the clients of the killed node fail over to a survivor`);
  }
  let plan: Plan;
  try {
    plan = definition.plan(params as never, seed);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  const phases = plan.phases.length;
  const tooManyFiles = fileLimitProblem(plan, nodes, openFileLimit());
  if (tooManyFiles) throw new UsageError(tooManyFiles);
  if (killNodeAt?.phase !== undefined && killNodeAt.phase > phases) {
    throw new UsageError(`--kill-node-at ${options.killNodeAt}: ${definition.id} has ${phases} phases (1-${phases})`);
  }
  return { definition, params, seed, models, baseline, modelOptions, driver, nodes, plan, needsRedis: nodes > 1 || inRedis.length > 0, ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}), ...(killNodeAt ? { killNodeAt } : {}) };
}

function isPostgresUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && (url.hostname !== '' || url.searchParams.has('host'));
  } catch {
    return false;
  }
}

export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const run = validateRunOptions(options);
  const driver = await DRIVERS[run.driver]!();
  const missing = await driver.unavailable();
  if (missing) throw new UsageError(`--driver ${run.driver} is not available here: ${missing}`);
  const plan = run.plan;
  const progress = options.progress ?? (() => {});
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${run.definition.id}-${randomBytes(3).toString('hex')}`;
  // before any server starts: a run that cannot write its results must not run at all
  const out = await prepareOutDir(resolve(options.outDir ?? defaultRunDir(runId)), options.outDir ? '--out' : 'the run directory');
  // whatever stops the run before it writes there, the directory made for it goes again
  return (async (): Promise<RunOutcome> => {
    if (!options.postgres) progress(options.pgUrl ? 'connecting to Postgres' : 'starting embedded Postgres');
    const postgres =
      options.postgres ??
      (await connectPostgres(options.pgUrl).catch((error: unknown) => {
        throw error instanceof PostgresStartError ? new CliError(`${options.pgUrl ? '--pg-url: ' : ''}${firstLine(error)}`) : error;
      }));
    const secret = randomBytes(24).toString('base64url');
    const models: RunResults['models'] = {};
    const samples: Sample[] = [];
    let pgVersion = 'unknown';
    let ownRedis: RedisServerHandle | undefined;
    let redisUrl = run.redisUrl;
    let stopped: { model: string; error: unknown } | undefined;
    try {
      if (redisUrl) {
        progress('checking Redis');
        await checkRedis(redisUrl).catch((error: unknown) => {
          throw error instanceof RedisUnavailableError ? new CliError(error.message) : error;
        });
      } else if (run.needsRedis) {
        progress('starting redis-server for the run');
        ownRedis = await startRedisServer();
        redisUrl = ownRedis.url;
      }
      pgVersion = await postgresVersion(postgres.url);
      for (const modelId of run.models) {
        const modelRun = await runModel({
          model: MODELS[modelId]!,
          modelOptions: run.modelOptions[modelId]!,
          plan,
          driver,
          pgAdminUrl: postgres.url,
          postgresEmbedded: postgres.embedded,
          nodes: run.nodes,
          secret,
          ...(redisUrl ? { redisUrl, redisPrefix: `chatbench:${runId}:` } : {}),
          ...(run.killNodeAt ? { killNodeAt: run.killNodeAt } : {}),
          progress,
        }).catch((error: unknown) => {
          // the models that finished are kept (below); this one's figures are incomplete
          stopped = { model: modelId, error };
          return undefined;
        });
        if (!modelRun) break;
        const { result, samples: modelSamples } = modelRun;
        models[modelId] = result;
        // a loop, not push(...spread): a run can hold more samples than a call has arguments
        for (const sample of modelSamples) samples.push(sample);
        options.note?.(`${modelId}: done in ${(result.wallMs! / 1000).toFixed(1)} s`);
      }
    } finally {
      await ownRedis?.stop();
      if (!options.postgres) await postgres.stop();
    }
    const results: RunResults = {
      runId,
      scenario: run.definition.id,
      seed: run.seed,
      params: run.params,
      driver: run.driver,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      gitSha: gitSha(),
      nodes: run.nodes,
      ...(redisUrl ? { cluster: { redis: ownRedis ? 'redis-server started for the run' : redactUrl(redisUrl), ...(run.killNodeAt ? { killNodeAt: formatKillNodeAt(run.killNodeAt) } : {}) } } : {}),
      machine: { cores: cpus().length, memoryBytes: totalmem(), platform: `${process.platform} ${process.arch}`, cpuModel: cpus()[0]?.model, node: process.version },
      postgresVersion: pgVersion,
      command: options.command ?? reproduceCommand(run),
      ...(options.sweepId ? { sweepId: options.sweepId } : {}),
      // a run stopped before its baseline finished is compared against the first model that did
      baseline: run.baseline in models || !stopped ? run.baseline : (Object.keys(models)[0] ?? run.baseline),
      models,
      ...(stopped ? { stopped: { model: stopped.model, reason: firstLine(stopped.error) } } : {}),
    };
    const dir = out.dir;
    if (stopped) throw await stoppedRunError(stopped, { dir, results, samples, pgUrl: options.pgUrl });
    await writeRunDir(dir, results, samples);
    let stored: RunOutcome['stored'];
    if (options.store !== false) {
      progress('storing the run');
      stored = await persistRun(dir, options.store ?? {});
    }
    return { results, dir, samples, stored };
  })().catch(async (error: unknown) => {
    await out.discardIfUnused();
    throw error;
  });
}

/**
 * A model failed: the run stops with one line saying what happened and where the models that
 * finished before it are (written, loadable with `chatbench load`).
 */
async function stoppedRunError(
  stopped: { model: string; error: unknown },
  run: { dir: string; results: RunResults; samples: Sample[]; pgUrl: string | undefined },
): Promise<Error> {
  const finished = Object.keys(run.results.models);
  const what = isConnectionLoss(stopped.error)
    ? `Postgres${run.pgUrl ? ` at ${redactUrl(run.pgUrl)}` : ''} went away during model ${stopped.model} (${firstLine(stopped.error)}); the run stopped`
    : `model ${stopped.model} failed (${firstLine(stopped.error)}); the run stopped`;
  if (finished.length === 0) return new CliError(`${what}; no model had finished`);
  await writeRunDir(run.dir, run.results, run.samples);
  return new CliError(`${what}; the finished model${finished.length > 1 ? 's' : ''} (${finished.join(', ')}) kept in ${run.dir}: chatbench load ${run.dir}`);
}


export function reproduceCommand(run: ValidatedRun): string {
  const sets = Object.entries(run.params).map(([name, value]) => `--set ${name}=${value}`);
  return ['chatbench run', run.definition.id, ...sets, `--seed ${run.seed}`, `--models ${run.models.join(',')}`, ...(run.baseline !== run.models[0] ? [`--baseline ${run.baseline}`] : []), ...modelOptionFlags(run.modelOptions), `--driver ${run.driver}`, ...(run.nodes > 1 ? [`--nodes ${run.nodes}`] : []), ...(run.killNodeAt ? [`--kill-node-at ${formatKillNodeAt(run.killNodeAt)}`] : [])].join(' ');
}

let cachedSha: string | undefined;
export function gitSha(): string {
  if (cachedSha !== undefined) return cachedSha;
  try {
    // the code under test is chatbench's own checkout, wherever the user runs it from
    const root = fileURLToPath(new URL('..', import.meta.url));
    cachedSha = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    cachedSha = 'unknown';
  }
  return cachedSha;
}
