// Derived per-action figures. Results hold totals per action kind; reports always divide by the
// action's count, and say "n/a" rather than inventing a number when an action never happened.
import { ACTION_KINDS, type ActionFigure, type ActionKind } from '../analysis/metric-names.ts';
import type { RunResults } from '../analysis/results-schema.ts';

/** The two models the spec compares; other models still appear in tables and charts. */
export const BASE_MODEL = 'naive';
export const CHALLENGER_MODEL = 'watermark';

export function modelNames(results: RunResults): string[] {
  return orderModels(Object.keys(results.models));
}

/** naive, watermark, then any other model alphabetically; duplicates dropped. */
export function orderModels(models: Iterable<string>): string[] {
  const names = [...new Set(models)];
  const known = [BASE_MODEL, CHALLENGER_MODEL].filter((m) => names.includes(m));
  return [...known, ...names.filter((m) => !known.includes(m)).sort()];
}

/** Total / count, or undefined when the model has no such action. */
export function perAction(results: RunResults, model: string, action: ActionKind, figure: ActionFigure): number | undefined {
  const figures = results.models[model]?.actions[action];
  if (!figures || figures.count === 0) return undefined;
  return figures[figure] / figures.count;
}

/** Action kinds any model of the run performed, in contract order. */
export function actionsPerformed(results: RunResults): ActionKind[] {
  return ACTION_KINDS.filter((action) =>
    Object.values(results.models).some((model) => (model.actions[action]?.count ?? 0) > 0),
  );
}

/**
 * naive / watermark. Undefined when either side is missing; Infinity when only the denominator
 * is zero (watermark does nothing where naive does something), NaN when both are zero.
 */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined) return undefined;
  if (denominator === 0) return numerator === 0 ? NaN : Infinity;
  return numerator / denominator;
}

export function formatNumber(value: number | undefined, digits = 2): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return '∞';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const fractionDigits = abs >= 100 ? 0 : abs >= 1 ? digits : digits + 1;
  return value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits });
}

export function formatRatio(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  if (Number.isNaN(value)) return 'both 0';
  if (!Number.isFinite(value)) return 'naive only';
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
