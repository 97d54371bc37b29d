// `chatbench simulate predict` and `chatbench simulate` as a user runs them: the whole CLI
// process, wall time from spawn to exit, priced with the shipped calibration. Predict must stay
// well under a second (it reads a JSON file and prices; no database, no store).
import { spawnSync } from 'node:child_process';
import type { BenchFigure } from './run.ts';
import { median } from './stats.ts';

export const name = 'simulate';

const CALIBRATION = 'calibration/reference.json';
const PREDICT_TARGET_MS = 1000;

function timed(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['bin/chatbench.mjs', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`chatbench ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

export default async function simulate({ runs, log }: { runs: number; log: (line: string) => void }): Promise<BenchFigure[]> {
  const predict: number[] = [];
  const workload: number[] = [];
  // one unmeasured run first: tsx's transform cache is cold after a checkout
  timed(['simulate', 'predict', 'vacation-backlog', '--calibration', CALIBRATION, '--json']);
  for (let run = 0; run < runs; run++) {
    predict.push(timed(['simulate', 'predict', 'mass-reconnect', '--calibration', CALIBRATION, '--json']));
    workload.push(timed(['simulate', '--calibration', CALIBRATION, '--no-store', '--json']));
    log(`run ${run + 1}: predict ${predict.at(-1)!.toFixed(0)} ms, simulate ${workload.at(-1)!.toFixed(0)} ms`);
  }
  return [
    { label: 'simulate predict mass-reconnect (defaults), whole CLI', value: Math.round(median(predict)), unit: 'ms', note: `target < ${PREDICT_TARGET_MS} ms` },
    { label: 'simulate (whatsapp-500m, both models, no store), whole CLI', value: Math.round(median(workload)), unit: 'ms' },
  ];
}
