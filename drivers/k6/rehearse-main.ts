// `npm run rehearse:k6-operator [-- --set key=value ... --runners N --clients-per-vu N --model ID]`:
// the k6-operator round trip on this machine (drivers/k6/rehearse.ts), stored in the metrics
// store, then gated with the scenario's own thresholds for the model. Prints what a reader needs
// to compare with a cluster run: runners, counts, quantiles, the gate's verdict.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { REHEARSAL_DEFAULTS, rehearseK6Operator } from './rehearse.ts';

function usage(message: string): never {
  process.stderr.write(`rehearse:k6-operator: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: REHEARSAL_DEFAULTS.scenario },
    set: { type: 'string', multiple: true },
    runners: { type: 'string', default: String(REHEARSAL_DEFAULTS.runners) },
    'clients-per-vu': { type: 'string', default: String(REHEARSAL_DEFAULTS.clientsPerVu) },
    model: { type: 'string', default: REHEARSAL_DEFAULTS.model },
    seed: { type: 'string', default: String(REHEARSAL_DEFAULTS.seed) },
  },
  strict: true,
});
const integer = (name: string, raw: string) => (/^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : usage(`--${name} ${raw}: expected a positive integer`));
const definition = SCENARIOS[values.scenario] ?? usage(`--scenario ${values.scenario}: unknown scenario; valid: ${Object.keys(SCENARIOS).join(', ')}`);
const work = mkdtempSync(join(tmpdir(), 'chatbench-rehearsal-'));
const log = (line: string) => process.stdout.write(`${line}\n`);
try {
  const rehearsal = await rehearseK6Operator({
    workDir: work,
    scenario: values.scenario,
    sets: values.set ?? (values.scenario === REHEARSAL_DEFAULTS.scenario ? REHEARSAL_DEFAULTS.sets : []),
    runners: integer('runners', values.runners),
    clientsPerVu: integer('clients-per-vu', values['clients-per-vu']),
    model: values.model,
    seed: integer('seed', values.seed),
    log,
  });
  const { results } = rehearsal;
  const result = results.models[values.model]!;
  log(`\nstored run ${results.runId}: ${results.runners} runners, ${results.scenario} ${JSON.stringify(results.params)} seed ${results.seed}, ${(rehearsal.wallMs / 1000).toFixed(1)} s end to end`);
  for (const [kind, figures] of Object.entries(result.actions)) log(`  ${kind.padEnd(10)} count ${figures.count}, rows written ${figures['db.rows_written']}, events pushed ${figures['ws.events_pushed']}`);
  for (const [metric, summary] of Object.entries(result.latency)) {
    log(`  ${metric.padEnd(16)} n ${summary.count}, p50/p95/p99 ${summary.p50} / ${summary.p95} / ${summary.p99} ms${summary.missing ? `, ${summary.missing} missing` : ''}`);
  }
  log(`  ticks consistent: ${result.check.ticks_consistent}, db consistent: ${result.db.consistent}`);
  const model = MODELS[values.model];
  // what the scenario derives from the model's traits, at the options the run used
  const thresholds = model ? definition.thresholds?.(results.params as never, model.traits(result.options ?? defaultOptions(values.model))) : undefined;
  if (thresholds) {
    const file = join(work, 'thresholds.json');
    writeFileSync(file, JSON.stringify({ [values.model]: thresholds }));
    const cli = fileURLToPath(new URL('../../bin/chatbench.mjs', import.meta.url));
    const gate = spawnSync(process.execPath, [cli, 'gate', '--run', results.runId, '--thresholds', file], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    log(`\nchatbench gate --run ${results.runId} (the scenario's thresholds for ${values.model}):\n${gate.stdout}${gate.stderr}`);
    process.exitCode = gate.status ?? 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
