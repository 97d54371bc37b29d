// `npm run bench`: every file bench/*.bench.ts exports `name` and a default function that runs
// its measurements several times and returns printed figures (medians, never single runs).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export interface BenchFigure {
  label: string;
  value: number;
  unit: string;
  /** what the figure is compared with, e.g. a target or a ceiling */
  note?: string;
}

export interface BenchModule {
  name: string;
  default: (options: { runs: number; log: (line: string) => void }) => Promise<BenchFigure[]>;
}

// bench files import `median` from ./stats.ts: importing it from here would deadlock this
// entry point's top-level await on the bench file that imports it back
export { median } from './stats.ts';

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const runs = Number(process.env.CHATBENCH_BENCH_RUNS ?? 3);
  const files = readdirSync(here).filter((file) => file.endsWith('.bench.ts')).sort();
  for (const file of files) {
    const bench = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
    if (only.length && !only.includes(bench.name)) continue;
    process.stdout.write(`\n## ${bench.name} (median of ${runs} runs)\n`);
    const figures = await bench.default({ runs, log: (line) => process.stderr.write(`  ${line}\n`) });
    for (const figure of figures) {
      process.stdout.write(`${figure.label.padEnd(56)} ${formatNumber(figure.value).padStart(14)} ${figure.unit}${figure.note ? `  (${figure.note})` : ''}\n`);
    }
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
