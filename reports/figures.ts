// Derived per-action figures. Results hold totals per action kind; reports always divide by the
// action's count, and say "n/a" rather than inventing a number when an action never happened.
import { ACTION_KINDS, type ActionKind } from '../analysis/metric-names.ts';
import { baselineOf, comparedModels, perAction, ratio } from '../analysis/model-comparison.ts';
import type { RunResults } from '../analysis/results-schema.ts';

export { baselineOf, perAction, ratio };

/** The run's baseline model first, then the others in the order the run compared them. */
export function modelNames(results: RunResults): string[] {
  return comparedModels(results);
}

/** Models in the order they first appear, duplicates dropped (sweeps, several runs). */
export function orderModels(models: Iterable<string>): string[] {
  return [...new Set(models)];
}

/** Action kinds any model of the run performed, in contract order. */
export function actionsPerformed(results: RunResults): ActionKind[] {
  return ACTION_KINDS.filter((action) =>
    Object.values(results.models).some((model) => (model.actions[action]?.count ?? 0) > 0),
  );
}


export function formatNumber(value: number | undefined, digits = 2): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return '∞';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const fractionDigits = abs >= 100 ? 0 : abs >= 1 ? digits : digits + 1;
  return value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits });
}

/** A baseline/model ratio; `baseline` names who alone does something when the model does nothing. */
export function formatRatio(value: number | undefined, baseline: string): string {
  if (value === undefined) return 'n/a';
  if (Number.isNaN(value)) return 'both 0';
  if (!Number.isFinite(value)) return `${baseline} only`;
  return `${formatNumber(value)}×`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(unit === 0 ? value : Math.round(value * 10) / 10)} ${units[unit]}`;
}

/** Signed relative change of `value` against `base`, e.g. "+12.5%". */
export function formatDelta(base: number | undefined, value: number | undefined): string {
  if (base === undefined || value === undefined) return 'n/a';
  if (base === value) return '±0%';
  if (base === 0) return value > 0 ? 'new' : 'n/a';
  const change = ((value - base) / base) * 100;
  return `${change > 0 ? '+' : ''}${formatNumber(Math.round(change * 10) / 10)}%`;
}
