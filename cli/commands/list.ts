import type { Command } from 'commander';
import { driverIds } from '../../drivers/registry.ts';
import { DEFAULT_MODELS, MODELS } from '../../reference-server/models/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

export function listing() {
  return {
    scenarios: Object.values(SCENARIOS).map((scenario) => ({
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      params: Object.fromEntries(Object.entries(scenario.params).map(([name, spec]) => [name, { ...spec }])),
    })),
    models: Object.values(MODELS).map((model) => ({
      id: model.id,
      description: model.description,
      design: model.design,
      durability: model.traits(defaultOptions(model.id)).durability,
      ...(model.capabilities.redis ? { needs: ['redis'] } : {}),
      options: Object.fromEntries(Object.entries(model.options).map(([name, spec]) => [name, { ...spec }])),
    })),
    defaultModels: DEFAULT_MODELS,
    drivers: driverIds(),
  };
}

export default function register(program: Command): void {
  program
    .command('list')
    .description('scenarios with their parameters and defaults, models and drivers')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const data = listing();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      for (const scenario of data.scenarios) {
        out.push(`${scenario.id}: ${scenario.description}`);
        for (const [name, spec] of Object.entries(scenario.params)) {
          out.push(`  ${name.padEnd(14)} default ${String(spec.default).padEnd(6)} ${spec.min}..${spec.max} ${spec.unit}: ${spec.description}`);
        }
        out.push('');
      }
      out.push(`models (default: ${data.defaultModels.join(',')}):`);
      for (const model of data.models) {
        out.push(`  ${model.id}: ${model.description}`, `    stands for: ${model.design}`, `    acks reach Postgres: ${model.durability === 'write-behind' ? 'in a later batched flush (a crash loses the window)' : 'before the status is pushed'}`);
        for (const [name, spec] of Object.entries(model.options)) {
          out.push(`    --model-opt ${model.id}.${name}  default ${spec.default} ${spec.min}..${spec.max} ${spec.unit}: ${spec.description}`);
        }
      }
      out.push('', `drivers: ${data.drivers.join(', ')}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
