// A k6-operator run rehearsed on one machine, through the same files and commands a cluster uses:
// `chatbench k6 export` writes the archive, TestRun and run config; `chatbench k6 coordinate`
// seeds the database and leads the phases; server nodes run on that database; N k6 processes run
// the archive as the operator's runner pods would (each with its execution segment, the TestRun's
// arguments and env, its own JSON file in one shared directory); then `chatbench k6 collect` and
// `chatbench gate`. Kubernetes and the volume are what a cluster adds (README: the cluster path).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../../analysis/results-schema.ts';
import { connectPostgres, createDatabase, freePort } from '../../reference-server/db/postgres.ts';
import { launchNode, type NodeHandle } from '../../reference-server/node-launcher.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { locateK6, noRestApiArgs } from './binary.ts';
import { K6_ENV } from './config.ts';
import { executionSegments } from './driver.ts';
import { RUN_FILES } from './run-files.ts';

export const REHEARSAL_DEFAULTS = {
  scenario: 'vacation-backlog',
  // an odd block size splits some pairs across VUs, and so across runners
  sets: ['pairs=30', 'backlog=20'],
  clientsPerVu: 7,
  seed: 1,
  model: 'watermark',
  runners: 3,
};

const CLI = fileURLToPath(new URL('../../bin/chatbench.mjs', import.meta.url));

export interface RehearsalOptions {
  workDir: string;
  scenario?: string;
  sets?: string[];
  seed?: number;
  model?: string;
  runners?: number;
  clientsPerVu?: number;
  /** a Postgres server to create the run's database on (default: embedded) */
  pgUrl?: string;
  /** extra options for `k6 collect` (store options, --no-store) */
  collectArgs?: string[];
  log?(line: string): void;
}

export interface Rehearsal {
  results: RunResults;
  /** the shared directory: one JSON file per runner and the coordinator record */
  resultsDir: string;
  runnerFiles: string[];
  exportDir: string;
  runDir: string;
  /** from the database's creation to the stored run */
  wallMs: number;
}

interface Child {
  name: string;
  exited: Promise<number | null>;
  output: string[];
  kill(): void;
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: string) => {
    output.push(chunk);
    if (output.length > 400) output.shift();
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  return {
    name,
    output,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

async function succeed(child: Child): Promise<string> {
  const code = await child.exited;
  const text = child.output.join('');
  if (code !== 0) throw new Error(`${child.name} exited with code ${code}: ${text.trim().split('\n').slice(-6).join(' | ')}`);
  return text;
}

/** The TestRun's runner `arguments` and plain `env` values, as the operator hands them to each pod. */
export function runnerSpec(testRunYaml: string): { args: string[]; env: Record<string, string> } {
  const args = /^ {2}arguments: (.*)$/m.exec(testRunYaml)?.[1]?.trim().split(/\s+/) ?? [];
  const env: Record<string, string> = {};
  for (const match of testRunYaml.matchAll(/^ {6}- name: (\S+)\n {8}value: (.*)$/gm)) env[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  return { args, env };
}

export async function rehearseK6Operator(options: RehearsalOptions): Promise<Rehearsal> {
  const scenario = options.scenario ?? REHEARSAL_DEFAULTS.scenario;
  const sets = options.sets ?? REHEARSAL_DEFAULTS.sets;
  const seed = options.seed ?? REHEARSAL_DEFAULTS.seed;
  const modelId = options.model ?? REHEARSAL_DEFAULTS.model;
  const runners = options.runners ?? REHEARSAL_DEFAULTS.runners;
  const clientsPerVu = options.clientsPerVu ?? REHEARSAL_DEFAULTS.clientsPerVu;
  const log = options.log ?? (() => {});
  const k6 = await locateK6();
  if ('missing' in k6) throw new Error(`the rehearsal runs k6: ${k6.missing}`);
  const model = MODELS[modelId];
  if (!model) throw new Error(`unknown model ${modelId}`);
  const planArgs = [scenario, ...sets.flatMap((set) => ['--set', set]), '--seed', String(seed), '--clients-per-vu', String(clientsPerVu)];
  const exportDir = join(options.workDir, 'export');
  const resultsDir = join(options.workDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  const started = Date.now();

  log(options.pgUrl ? 'connecting to Postgres' : 'starting embedded Postgres');
  const postgres = await connectPostgres(options.pgUrl);
  const children: Child[] = [];
  const nodes: NodeHandle[] = [];
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  try {
    database = await createDatabase(postgres.url, 'chatbench_k6op');
    // 1. the coordinator first: it reads the database's counters, migrates and seeds it, then
    // listens; it reads the node's figures when the runners are done
    const port = await freePort();
    const nodeUrl = `ws://127.0.0.1:${await freePort()}`;
    const coordinator = start('k6 coordinate', process.execPath, [
      CLI, 'k6', 'coordinate', ...planArgs, '--host', '127.0.0.1', '--port', String(port),
      '--model', modelId, '--pg-url', database.url, '--out', join(resultsDir, RUN_FILES.coordinator), '--server', nodeUrl,
    ]);
    children.push(coordinator);
    await until(() => coordinator.output.join('').includes('coordinating'), coordinator, 60_000);
    log(coordinator.output.join('').trim().split('\n')[0]!);
    // 2. the server nodes on that database (in a cluster: `chatbench serve --pg-url`)
    nodes.push(await launchNode({ model: modelId, dbUrl: database.url, secret, host: '127.0.0.1', port: Number(new URL(nodeUrl).port), nodeId: 'node-1', poolSize: 16 }));
    // 3. the export, naming the nodes
    const exported = start('k6 export', process.execPath, [CLI, 'k6', 'export', ...planArgs, '--parallelism', String(runners), '--model', modelId, ...nodes.flatMap((node) => ['--server', node.url]), '--out', exportDir]);
    log((await succeed(exported)).trim().split('\n')[0]!);
    // 4. the runners, as the operator starts its pods: the TestRun's arguments and env, a segment each
    const spec = runnerSpec(readFileSync(join(exportDir, 'testrun.yaml'), 'utf8'));
    const { segments, sequence } = executionSegments(runners);
    const name = `chatbench-${scenario}`;
    const pods = segments.map((segment, index) => {
      const pod = `${name}-${index + 1}-${randomBytes(3).toString('hex')}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...spec.env,
        POD_NAME: pod,
        K6_OUT: `json=${join(resultsDir, `${pod}.json`)}`,
        [K6_ENV.coordinator]: `http://127.0.0.1:${port}`,
        [K6_ENV.secret]: secret,
      };
      // no REST API per runner: the operator gives each pod its own address, here they share one host
      const args = ['run', ...spec.args, ...noRestApiArgs(k6.version), '--execution-segment', segment, '--execution-segment-sequence', sequence, join(exportDir, 'chatbench.tar')];
      return start(`k6 runner ${index + 1} (${segment})`, k6.path, args, env);
    });
    children.push(...pods);
    log(`${runners} k6 runners started`);
    await Promise.all([...pods, coordinator].map((child) => succeed(child)));
    log('runners and coordinator finished');
    // 5. the nodes go (their connections would keep Postgres's counters back), then collect
    await Promise.all(nodes.map((node) => node.stop()));
    const runDir = join(options.workDir, 'run');
    const collect = start('k6 collect', process.execPath, [
      CLI, 'k6', 'collect', resultsDir, '--run-config', join(exportDir, RUN_FILES.runConfig), '--pg-url', database.url, '--out', runDir, '--json', ...(options.collectArgs ?? []),
    ], { ...process.env, CI: 'true' });
    // an inconsistent run exits 1 but is still printed and kept: the caller judges it
    const code = await collect.exited;
    const printed = collect.output.filter((chunk) => !chunk.startsWith('chatbench:')).join('');
    let results: RunResults;
    try {
      results = JSON.parse(printed) as RunResults;
    } catch {
      throw new Error(`k6 collect exited with code ${code}: ${collect.output.join('').trim().split('\n').slice(-6).join(' | ')}`);
    }
    return {
      results,
      resultsDir,
      runnerFiles: readdirJson(resultsDir),
      exportDir,
      runDir,
      wallMs: Date.now() - started,
    };
  } finally {
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => child.exited));
    await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
    await database?.drop().catch(() => {});
    await postgres.stop();
  }
}

function readdirJson(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => name.endsWith('.json') && name !== RUN_FILES.coordinator)
    .map((name) => join(dir, name));
}

async function until(check: () => boolean, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (!check()) {
    if (exited) throw new Error(`${child.name} exited early: ${child.output.join('').trim().split('\n').slice(-6).join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`${child.name} did not start within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
