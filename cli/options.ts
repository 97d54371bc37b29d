// Options shared by run and sweep, parsed and validated at the boundary.
import { Option, type Command } from 'commander';
import { driverIds } from '../drivers/registry.ts';
import { DEFAULT_MODELS, modelIds } from '../reference-server/models/registry.ts';
import { UsageError } from './exit-codes.ts';
import type { RunOptions } from './run-scenario.ts';
import { storeOptionsFrom, type StoreCliOptions } from './store-options.ts';

export interface RunCliOptions {
  models?: string;
  baseline?: string;
  modelOpt: string[];
  set: string[];
  seed?: string;
  driver?: string;
  nodes?: string;
  out?: string;
  json?: boolean;
  pgUrl?: string;
  redisUrl?: string;
  killNodeAt?: string;
  store: boolean;
  report?: string | boolean;
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--models <ids>', `comma-separated models (${modelIds().join(', ')}; default ${DEFAULT_MODELS.join(',')})`)
    .option('--baseline <id>', 'the model the others are compared against (default: the first of --models)')
    .option('--model-opt <model.option=value>', 'a model option, e.g. write-behind.flushMs=500 (repeatable; see chatbench list)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--set <key=value>', 'set a scenario parameter (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--seed <n>', 'seed: the same seed makes the same plan', '1')
    .addOption(new Option('--driver <id>', `load driver (${driverIds().join(', ')})`).default('node'))
    .option('--nodes <n>', 'reference-server nodes', '1')
    .option('--out <dir>', 'run directory for results.json and samples.tsv (default .chatbench/runs/<runId>)')
    .option('--json', 'print only the results JSON')
    .option('--pg-url <url>', 'use this Postgres server (env CHATBENCH_PG_URL; default: embedded)')
    .option('--redis-url <url>', 'nodes share sessions, presence and routing through this Redis (env CHATBENCH_REDIS_URL; default with --nodes > 1: a redis-server started for the run)')
    .option('--kill-node-at <[phase:]seconds>', 'fault: SIGKILL the busiest node this long after the run (or phase N) starts; needs --nodes 2+')
    .option('--no-store', 'keep the run directory but do not store it in the metrics store')
    .option('--report [file]', 'also write an HTML report');
}

export function parseInteger(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${option} ${raw}: expected an integer`);
  return Number(raw);
}

export function parseModels(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
}

/** The run options `run` and `sweep` share, from their command-line form (env fallbacks included). */
export function runOptionsFrom(scenario: string, options: RunCliOptions & StoreCliOptions): RunOptions {
  return {
    scenario,
    sets: options.set,
    seed: parseInteger('--seed', options.seed, 1),
    models: parseModels(options.models),
    baseline: options.baseline,
    modelOpts: options.modelOpt,
    driver: options.driver,
    nodes: parseInteger('--nodes', options.nodes, 1),
    pgUrl: options.pgUrl ?? process.env.CHATBENCH_PG_URL,
    redisUrl: options.redisUrl ?? process.env.CHATBENCH_REDIS_URL,
    killNodeAt: options.killNodeAt,
    store: options.store ? storeOptionsFrom(options) : false,
  };
}
