// The k6 driver: runs the plan in k6 (drivers/k6/script.ts) with its clients spread over VUs,
// optionally over several k6 processes, each with its own execution segment (how k6 splits one
// test over load generators, locally or under the k6-operator). One k6 run covers all phases:
// the VUs keep their clients across phases and meet at a phase coordinator this driver serves,
// which is where the orchestrator's phase hooks run. Results come from k6's JSON output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planClients } from '../../scenarios/plan.ts';
import { combineReports } from '../outcome.ts';
import { generatorConfig, type DriverContext, type DriverOutcome, type LoadDriver } from '../types.ts';
import { processUsage } from '../process-usage.ts';
import { locateK6, noRestApiArgs } from './binary.ts';
import { configEnv, K6_SCRIPT_DEFAULTS, vusFor } from './config.ts';
import { PhaseCoordinator } from './coordinator.ts';
import { readK6Output, unfinishedVus } from './output.ts';

export const K6_DRIVER_DEFAULTS = {
  /** k6 processes, each with an equal execution segment */
  processes: 1,
  clientsPerVu: K6_SCRIPT_DEFAULTS.clientsPerVu,
  /** lead time so every VU's schedule starts at the same instant */
  startLeadMs: 50,
};

export const K6_SCRIPT_PATH = fileURLToPath(new URL('./script.ts', import.meta.url));

export interface K6DriverOptions {
  processes?: number;
  clientsPerVu?: number;
}

/** `--execution-segment` per process: equal slices of the test, e.g. 0:1/2 and 1/2:1. */
export function executionSegments(processes: number): { segments: string[]; sequence: string } {
  const point = (i: number) => (i === 0 ? '0' : i === processes ? '1' : `${i}/${processes}`);
  const segments = Array.from({ length: processes }, (_, i) => `${point(i)}:${point(i + 1)}`);
  return { segments, sequence: Array.from({ length: processes + 1 }, (_, i) => point(i)).join(',') };
}

export function k6RunArgs(options: { outFile: string; version: string; segment?: string; sequence?: string }): string[] {
  return [
    'run',
    '--quiet',
    '--no-usage-report',
    '--summary-mode=disabled',
    ...noRestApiArgs(options.version),
    // only what our parser reads: smaller output, faster to write and read
    '--system-tags=',
    '--out',
    `json=${options.outFile}`,
    ...(options.segment ? ['--execution-segment', options.segment, '--execution-segment-sequence', options.sequence!] : []),
    K6_SCRIPT_PATH,
  ];
}

interface K6Process {
  child: ChildProcess;
  outFile: string;
  exited: Promise<number | null>;
  stderr: string[];
}

export function createK6Driver(options: K6DriverOptions = {}): LoadDriver {
  const processes = options.processes ?? K6_DRIVER_DEFAULTS.processes;
  const clientsPerVu = options.clientsPerVu ?? K6_DRIVER_DEFAULTS.clientsPerVu;
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`k6 driver: processes must be a positive integer, got ${processes}`);
  if (!Number.isInteger(clientsPerVu) || clientsPerVu < 1) throw new Error(`k6 driver: clientsPerVu must be a positive integer, got ${clientsPerVu}`);
  return {
    id: 'k6',
    async unavailable() {
      const found = await locateK6();
      return 'missing' in found ? found.missing : undefined;
    },
    async execute(context) {
      return execute(context, processes, clientsPerVu);
    },
  };
}

export const k6Driver = createK6Driver();

async function execute(context: DriverContext, processCount: number, clientsPerVu: number): Promise<DriverOutcome> {
  const found = await locateK6();
  if ('missing' in found) throw new Error(`k6 is not available: ${found.missing}`);
  const vus = vusFor(planClients(context.plan).length, clientsPerVu);
  if (vus < processCount) throw new Error(`k6 driver: ${processCount} processes need at least as many VUs, the plan makes ${vus} (lower clientsPerVu)`);
  const coordinator = new PhaseCoordinator(vus);
  const dir = mkdtempSync(join(tmpdir(), 'chatbench-k6-'));
  const children: K6Process[] = [];
  try {
    const url = await coordinator.listen();
    const env = {
      ...process.env,
      ...configEnv({ ...generatorConfig(context), coordinator: url, clientsPerVu }),
    };
    const { segments, sequence } = executionSegments(processCount);
    for (const [index, segment] of segments.entries()) {
      const outFile = join(dir, `k6-${index}.json`);
      const child = spawn(found.path, k6RunArgs({ outFile, version: found.version, ...(processCount > 1 ? { segment, sequence } : {}) }), { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const stderr: string[] = [];
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr.push(chunk);
        if (stderr.length > 200) stderr.shift();
      });
      children.push({ child, outFile, stderr, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) });
    }
    // a k6 process that dies early would leave the coordinator waiting forever
    const early = Promise.race(
      children.map(async (k6, index) => {
        const code = await k6.exited;
        throw new Error(`k6 process ${index + 1} exited (code ${code}) before the run ended: ${lastLines(k6.stderr)}`);
      }),
    );
    early.catch(() => {});
    const guard = <T>(work: Promise<T>) => Promise.race([work, early]);

    const phaseErrors: string[] = [];
    // CPU counted from here, when every VU is ready: like the Node workers' figure, it leaves out
    // the runtime's start-up (for k6: transpiling the TypeScript and every VU's init)
    let ready: { cpuMs: number }[] | undefined;
    for (const [index, phase] of context.plan.phases.entries()) {
      await guard(coordinator.arrived(index));
      ready ??= children.map((k6) => processUsage(k6.child.pid));
      await context.onPhaseStart?.(index);
      context.progress?.(`${phase.name}: ${vus} VUs in ${processCount} k6 process${processCount > 1 ? 'es' : ''}`);
      coordinator.release(index, Date.now() + K6_DRIVER_DEFAULTS.startLeadMs);
      const report = await guard(coordinator.done(index));
      await context.onPhaseEnd?.(index, report.actions);
      phaseErrors.push(...report.errors);
      // a failed phase leaves later phases without the state they need
      if (report.errors.length) {
        coordinator.stop();
        break;
      }
    }
    await guard(coordinator.finishing());
    const usage = children.map((k6) => processUsage(k6.child.pid));
    coordinator.releaseFinish();
    const codes = await Promise.all(children.map((k6) => k6.exited));
    for (const [index, code] of codes.entries()) {
      if (code !== 0) throw new Error(`k6 process ${index + 1} exited with code ${code}: ${lastLines(children[index]!.stderr)}`);
    }
    const outputs = await Promise.all(children.map((k6) => readK6Output(k6.outFile, context.model, context.runStart)));
    for (const [index, output] of outputs.entries()) {
      const unfinished = unfinishedVus(output);
      if (unfinished.length) throw new Error(`k6 process ${index + 1}: VUs ${unfinished.join(', ')} began but never reported their figures: ${lastLines(children[index]!.stderr)}`);
    }
    const outcome: DriverOutcome = {
      ...combineReports(outputs, context.model, context.runStart),
      phaseErrors,
      generator: { processes: processCount, cpuMs: 0, rssBytes: 0 },
    };
    for (const [index, entry] of usage.entries()) {
      outcome.generator.cpuMs += entry.cpuMs - (ready?.[index]?.cpuMs ?? 0);
      outcome.generator.rssBytes += entry.rssBytes;
    }
    return outcome;
  } finally {
    await coordinator.close();
    for (const k6 of children) if (k6.child.exitCode === null && k6.child.signalCode === null) k6.child.kill('SIGTERM');
    await Promise.all(children.map((k6) => k6.exited));
    rmSync(dir, { recursive: true, force: true });
  }
}

function lastLines(chunks: string[]): string {
  const lines = chunks.join('').trim().split('\n');
  return lines.slice(-5).join(' | ') || '(no output)';
}
