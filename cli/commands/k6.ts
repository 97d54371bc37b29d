// `chatbench k6 export`: files for the k6-operator (see drivers/k6/export.ts), and
// `chatbench k6 coordinate`: the phase barrier a cluster's k6 runners meet at.
import type { Command } from 'commander';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { K6_SCRIPT_DEFAULTS, vusFor } from '../../drivers/k6/config.ts';
import { PhaseCoordinator } from '../../drivers/k6/coordinator.ts';
import { exportForOperator } from '../../drivers/k6/export.ts';
import { planClients } from '../../scenarios/plan.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { parseInteger } from '../options.ts';
import { validateRunOptions } from '../run-scenario.ts';
import type { CommandRegistrar } from './index.ts';

interface PlanCliOptions {
  set: string[];
  seed?: string;
  clientsPerVu?: string;
}

/** `runners`: without --clients-per-vu, blocks small enough that every runner gets a VU */
function planFrom(scenario: string, options: PlanCliOptions, runners = 1) {
  const run = validateRunOptions({ scenario, sets: options.set, seed: parseInteger('--seed', options.seed, 1) });
  const plan = run.definition.plan(run.params as never, run.seed);
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
    .action(async (scenario: string, options: PlanCliOptions & { parallelism: string; out: string; name?: string }) => {
      const parallelism = parseInteger('--parallelism', options.parallelism, 1);
      if (parallelism < 1) throw new UsageError(`--parallelism ${parallelism}: expected a positive integer`);
      const { plan, clientsPerVu } = planFrom(scenario, options, parallelism);
      const name = options.name ?? `chatbench-${scenario}`;
      if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) throw new UsageError(`--name ${name}: expected lower-case letters, digits and dashes (a Kubernetes name)`);
      const found = await locateK6();
      if ('missing' in found) throw new UsageError(`k6 export needs k6 to build the archive: ${found.missing}`);
      try {
        const result = await exportForOperator({ plan, parallelism, clientsPerVu, outDir: options.out, k6Path: found.path, name });
        process.stdout.write(`${result.vus} VUs over ${parallelism} runners\n${result.files.join('\n')}\n`);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
    });

  addPlanOptions(k6.command('coordinate').description("serve the phase barrier for a cluster's k6 runners of one plan"))
    .option('--port <n>', 'port to listen on', '7070')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .action(async (scenario: string, options: PlanCliOptions & { port: string; host: string }) => {
      const { plan, clientsPerVu } = planFrom(scenario, options);
      const port = parseInteger('--port', options.port, 7070);
      if (port < 1 || port > 65535) throw new UsageError(`--port ${port}: expected 1..65535`);
      const vus = vusFor(planClients(plan).length, clientsPerVu);
      const coordinator = new PhaseCoordinator(vus, { host: options.host, port });
      const url = await coordinator.listen();
      process.stdout.write(`coordinating ${vus} VUs through ${plan.phases.length} phases at ${url}\n`);
      for (const [index, phase] of plan.phases.entries()) {
        await coordinator.arrived(index);
        process.stdout.write(`phase ${index + 1} "${phase.name}": started\n`);
        coordinator.release(index, Date.now() + 200);
        const report = await coordinator.done(index);
        process.stdout.write(`phase ${index + 1}: done ${JSON.stringify(report.actions)}\n`);
        if (report.errors.length) {
          coordinator.stop();
          process.stderr.write(`phase ${index + 1} failed: ${report.errors.slice(0, 5).join('; ')}\n`);
          break;
        }
      }
      await coordinator.finishing();
      coordinator.releaseFinish();
      // let the last answers leave before the server closes
      await new Promise((resolve) => setTimeout(resolve, 500));
      await coordinator.close();
    });
};
export default register;
