import type { Command } from 'commander';
import { driverIds } from '../../drivers/registry.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

export function listing() {
  return {
    scenarios: Object.values(SCENARIOS).map((scenario) => ({
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      params: Object.fromEntries(Object.entries(scenario.params).map(([name, spec]) => [name, { ...spec }])),
    })),
    models: Object.entries(MODELS).map(([id, factory]) => ({ id, description: factory().description })),
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
      out.push('models:', ...data.models.map((model) => `  ${model.id.padEnd(10)} ${model.description}`), '', `drivers: ${data.drivers.join(', ')}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
