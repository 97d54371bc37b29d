// Gate tests start from the hand-built fixture run and change one thing at a time.
import { readFileSync } from 'node:fs';
import { parseResults, type ModelResult, type RunResults } from '../../../analysis/results-schema.ts';
import { parseGateFile, type Threshold } from '../../../analysis/gates/thresholds.ts';

export const FIXTURE_DIR = 'test/fixtures/runs/vacation-small';
const fixtureText = readFileSync(`${FIXTURE_DIR}/results.json`, 'utf8');

/** A fresh copy of the fixture run, optionally changed (models by name). */
export function fixtureRun(change?: (run: RunResults) => void): RunResults {
  const run = parseResults(JSON.parse(fixtureText), 'fixture');
  change?.(run);
  return run;
}

export function model(run: RunResults, name: string): ModelResult {
  const result = run.models[name];
  if (!result) throw new Error(`fixture has no model ${name}`);
  return result;
}

/** Thresholds from a literal, as a file would hold them. */
export function thresholds(spec: unknown): Threshold[] {
  return parseGateFile(spec, 'test.json').thresholds;
}
