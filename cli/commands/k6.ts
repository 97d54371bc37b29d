// `chatbench k6 export`: files for the k6-operator (see drivers/k6/export.ts), and
// `chatbench k6 coordinate`: the phase barrier a cluster's k6 runners meet at.
import { CoordinatorBindError, coordinatorBind } from '../../drivers/k6/coordinator-bind.ts';
import type { Command } from 'commander';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { K6_SCRIPT_DEFAULTS, vusFor } from '../../drivers/k6/config.ts';
import { coordinateRun } from '../../drivers/k6/coordinate-run.ts';
import { MODELS, modelIds } from '../../reference-server/models/registry.ts';
import { exportForOperator } from '../../drivers/k6/export.ts';
import { planClients } from '../../scenarios/plan.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultRunDir, persistRun, writeRunDir } from '../../analysis/store/run-dir.ts';
import { collectRun, type CollectedRun } from '../../drivers/k6/collect.ts';
import { RUN_FILES, RunFileError } from '../../drivers/k6/run-files.ts';
import { CliError, EXIT, UsageError } from '../exit-codes.ts';
import { createProgress } from '../progress.ts';
import { renderRun, runIsConsistent } from '../render-run.ts';
import { addStoreOptions, storeOptionsFrom, type StoreCliOptions } from '../store-options.ts';
import { parseInteger } from '../options.ts';
import { gitSha, validateRunOptions } from '../run-scenario.ts';
import type { CommandRegistrar } from './index.ts';

interface PlanCliOptions {
  set: string[];
  seed?: string;
  clientsPerVu?: string;
}

/** `runners`: without --clients-per-vu, blocks small enough that every runner gets a VU */
function planFrom(scenario: string, options: PlanCliOptions, runners = 1) {
  const { plan } = validateRunOptions({ scenario, sets: options.set, seed: parseInteger('--seed', options.seed, 1) });
  const fallback = Math.max(1, Math.min(K6_SCRIPT_DEFAULTS.clientsPerVu, Math.ceil(planClients(plan).length / runners)));
  const clientsPerVu = parseInteger('--clients-per-vu', options.clientsPerVu, fallback);
  if (clientsPerVu < 1) throw new UsageError(`--clients-per-vu ${clientsPerVu}: expected a positive integer`);
  return { plan, clientsPerVu };
}

function addPlanOptions(command: Command): Command {
  return command
    .argument('<scenario>', 'scenario id (see chatbench list)')
    .option('--set <key=value>', 'set a scenario parameter (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--seed <n>', 'seed: the same seed makes the same plan', '1')
    .option('--clients-per-vu <n>', `simulated clients (sockets) per k6 VU (default: the clients over the runners, at most ${K6_SCRIPT_DEFAULTS.clientsPerVu})`);
}

const register: CommandRegistrar = (program: Command) => {
  const k6 = program.command('k6').description('run scenarios with k6 beyond this machine (k6-operator)');

  addPlanOptions(k6.command('export').description('write a k6 archive, a ConfigMap and a TestRun for the k6-operator'))
    .requiredOption('--parallelism <n>', 'k6 runners (pods); each gets its own execution segment')
    .requiredOption('--out <dir>', 'directory for the files')
    .option('--name <name>', 'name of the ConfigMap and TestRun (default chatbench-<scenario>)')
    .option('--model <id>', `the model the server nodes run (${modelIds().join(', ')})`, 'watermark')
    .option('--server <ws-url>', 'a server node the runners connect to (repeatable; default: a placeholder to fill in)', (value: string, previous: string[]) => [...previous, value], [])
    .action(async (scenario: string, options: PlanCliOptions & { parallelism: string; out: string; name?: string; model: string; server: string[] }) => {
      const parallelism = parseInteger('--parallelism', options.parallelism, 1);
      if (parallelism < 1) throw new UsageError(`--parallelism ${parallelism}: expected a positive integer`);
      const { plan, clientsPerVu } = planFrom(scenario, options, parallelism);
      const name = options.name ?? `chatbench-${scenario}`;
      if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) throw new UsageError(`--name ${name}: expected lower-case letters, digits and dashes (a Kubernetes name)`);
      const model = MODELS[options.model];
      if (!model) throw new UsageError(`--model: unknown model "${options.model}"; valid models: ${modelIds().join(', ')}`);
      for (const server of options.server) if (!/^wss?:\/\/[^/\s]+\/?$/.test(server)) throw new UsageError(`--server ${server}: expected ws://host:port`);
      const found = await locateK6();
      if ('missing' in found) throw new UsageError(`k6 export needs k6 to build the archive: ${found.missing}`);
      try {
        const result = await exportForOperator({
          plan,
          parallelism,
          clientsPerVu,
          outDir: options.out,
          k6Path: found.path,
          k6Version: found.version,
          name,
          model: options.model,
          cachesSettings: model.client.cachesSettings,
          servers: options.server,
        });
        process.stdout.write(`${result.vus} VUs over ${parallelism} runners\n${result.files.join('\n')}\n`);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
    });

  addPlanOptions(k6.command('coordinate').description("serve the phase barrier for a cluster's k6 runners of one plan"))
    .option('--port <n>', 'port to listen on', '7070')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; with --allow-remote 0.0.0.0)')
    .option('--allow-remote', 'listen where other hosts can reach it (k6 runners elsewhere, e.g. k6-operator pods)')
    .option('--pg-url <url>', "the model's database the server nodes use: migrated, seeded with the plan's population, WAL marked per phase")
    .option('--model <id>', `the model the server nodes run (with --pg-url; ${modelIds().join(', ')})`)
    .option('--out <file>', `with --pg-url: the coordinator record for k6 collect (put it beside the runners' files as ${RUN_FILES.coordinator})`)
    .option('--server <ws-url>', 'with --pg-url: a server node, whose figures go into the record when the runners finish (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .action(async (scenario: string, options: PlanCliOptions & { port: string; host?: string; allowRemote?: boolean; pgUrl?: string; model?: string; out?: string; server: string[] }) => {
      const { plan, clientsPerVu } = planFrom(scenario, options);
      let bind: ReturnType<typeof coordinatorBind>;
      try {
        bind = coordinatorBind(options);
      } catch (error) {
        if (error instanceof CoordinatorBindError) throw new UsageError(error.message);
        throw error;
      }
      const port = parseInteger('--port', options.port, 7070);
      if (port < 1 || port > 65535) throw new UsageError(`--port ${port}: expected 1..65535`);
      if ((options.pgUrl === undefined) !== (options.out === undefined)) throw new UsageError('--pg-url and --out go together: the record k6 collect reads needs the database');
      if (options.pgUrl !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(options.pgUrl)) throw new UsageError(`--pg-url ${options.pgUrl}: expected postgres://...`);
      if (options.pgUrl !== undefined && options.model === undefined) throw new UsageError(`--pg-url needs --model (${modelIds().join(', ')})`);
      if (options.model !== undefined && !MODELS[options.model]) throw new UsageError(`--model: unknown model "${options.model}"; valid models: ${modelIds().join(', ')}`);
      if (options.pgUrl !== undefined && options.server.length === 0) throw new UsageError('--pg-url needs --server for every node: their figures go into the record');
      for (const server of options.server) if (!/^wss?:\/\/[^/\s]+\/?$/.test(server)) throw new UsageError(`--server ${server}: expected ws://host:port`);
      const vus = vusFor(planClients(plan).length, clientsPerVu);
      try {
        const errors = await coordinateRun({
          plan,
          vus,
          host: bind.host,
          port,
          ...(options.pgUrl ? { database: { url: options.pgUrl, model: MODELS[options.model!]!, out: options.out!, servers: options.server } } : {}),
          log: (line) => process.stdout.write(`${line}\n`),
          ...(bind.notice ? { listening: () => process.stdout.write(`${bind.notice}\n`) } : {}),
        });
        if (errors.length) process.exitCode = 1;
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
    });

  addStoreOptions(
    k6
      .command('collect')
      .description("a k6-operator run's files (every runner's output, the coordinator record) plus the nodes' figures and the database, stored as one run")
      .argument('<dir>', "the shared volume's directory: one JSON file per runner and the coordinator record")
      .requiredOption('--run-config <file>', `the ${RUN_FILES.runConfig} k6 export wrote`)
      .option('--pg-url <url>', "the run's database (env CHATBENCH_PG_URL)")
      .option('--allow-incomplete', 'store a run with runner files missing or cut short, marked incomplete (its check fails)')
      .option('--out <dir>', 'run directory for results.json and samples.tsv (default .chatbench/runs/<runId>)')
      .option('--no-store', 'keep the run directory but do not store it in the metrics store')
      .option('--json', 'print only the results JSON'),
  ).action(async (dir: string, options: CollectCliOptions) => {
    const pgUrl = options.pgUrl ?? process.env.CHATBENCH_PG_URL;
    if (!pgUrl) throw new UsageError("--pg-url: the run's database is needed (or set CHATBENCH_PG_URL)");
    if (!/^postgres(ql)?:\/\/\S+$/.test(pgUrl)) throw new UsageError(`--pg-url ${pgUrl}: expected postgres://...`);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`<dir> ${dir}: no such directory`);
    if (!existsSync(options.runConfig)) throw new UsageError(`--run-config ${options.runConfig}: no such file`);
    const store = options.store ? storeOptionsFrom(options) : false;
    const progress = createProgress({ json: options.json });
    let collected: CollectedRun;
    try {
      collected = await collectRun({
        dir,
        runConfigPath: options.runConfig,
        pgUrl,
        allowIncomplete: options.allowIncomplete === true,
        gitSha: gitSha(),
        command: ['chatbench k6 collect', dir, `--run-config ${options.runConfig}`, ...(options.allowIncomplete ? ['--allow-incomplete'] : [])].join(' '),
        progress: (line) => progress.update(line),
      });
    } catch (error) {
      progress.done();
      if (error instanceof RunFileError && error.message.startsWith(`${options.runConfig}:`)) throw new UsageError(error.message);
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
    const { results, samples, runnerFiles, problems } = collected;
    const runDir = resolve(options.out ?? defaultRunDir(results.runId));
    await writeRunDir(runDir, results, samples);
    const stored = store ? await persistRun(runDir, store) : undefined;
    progress.done();
    if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      process.stdout.write(renderRun(results));
      process.stdout.write(`\nrun ${results.runId}: ${runnerFiles.length} runners${problems.length ? `, INCOMPLETE (${problems.length} problems)` : ''}\nresults: ${runDir}\n`);
    }
    if (stored?.error) process.stderr.write(`chatbench: ${stored.error}\n  the run is kept in ${runDir}; store it later with: chatbench load ${runDir}\n`);
    else if (stored && !options.json) process.stdout.write(`stored in the metrics store${stored.alreadyStored ? ' (already there)' : ''}\n`);
    if (!runIsConsistent(results)) throw new CliError('the run is inconsistent or incomplete (see the checks above); its figures are kept but must not be trusted', EXIT.failure);
  });
};
export default register;

interface CollectCliOptions extends StoreCliOptions {
  runConfig: string;
  pgUrl?: string;
  allowIncomplete?: boolean;
  out?: string;
  store: boolean;
  json?: boolean;
}
