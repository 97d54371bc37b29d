// Prices action groups with a calibration: the results contract's per-action block for any
// scenario and parameters, without running anything. An exact group priced by an exact fit that
// identifies its features is exact; everything else is an estimate and says why.
import { ACTION_KINDS } from '../metric-names.ts';
import type { ActionFigures } from '../results-schema.ts';
import type { Calibration, FigureFit, ModelCalibration } from './calibration.ts';
import { evaluateExact } from './exact-fit.ts';
import { FITTED_FIGURES, REQUIRED_FIGURES, type ActionGroup } from './features.ts';
import { shapedCounts } from './fit-actions.ts';
import { walPoint } from './fit-run.ts';
import { evaluateFloat } from './least-squares.ts';

export type Basis = 'exact' | 'estimated';

export interface PricedKind {
  figures: ActionFigures;
  basis: Basis;
  /** why a figure is estimated, or unpriced (at most a few, deduplicated) */
  notes: string[];
}

export interface PricedModel {
  actions: Record<string, PricedKind>;
  /** WAL bytes these actions write, from the WAL fit (always an estimate) */
  walBytes: number;
}

interface Priced {
  value: number;
  exact: boolean;
  note?: string;
}

/** Which figure a fit is of, for notes: only bytes depend on digit features. */
function fitFigure(fit: FigureFit): string {
  return fit.exact?.features.some((name) => name.endsWith('Digits')) ? 'bytes' : 'counts';
}

export function priceFigure(fit: FigureFit | undefined, group: ActionGroup): Priced {
  let note: string | undefined;
  if (group.exact && fit?.exact) {
    const result = evaluateExact(fit.exact, group.features, group.members);
    if (result.ok && fit.exact.exact) return { value: result.value, exact: result.exact && !result.extrapolated, ...(result.extrapolated ? { note: `extrapolated to ${result.extrapolated}` } : {}) };
    note = result.ok ? 'its calibration fit is not exact' : `${fitFigure(fit)} not exact: ${result.reason}`;
  } else if (!group.exact) {
    note = 'its shape depends on timing';
  }
  if (fit?.estimate) return { value: Math.max(0, evaluateFloat(fit.estimate.coefficients, group.features)), exact: false, ...(note ? { note } : {}) };
  return { value: 0, exact: false, note: 'no calibration point for this action kind' };
}

export class UncalibratedModelError extends Error {
  override name = 'UncalibratedModelError';
}

export function modelCalibration(calibration: Calibration, model: string): ModelCalibration {
  const fitted = calibration.models[model];
  if (!fitted) {
    throw new UncalibratedModelError(`model ${model} is not in the calibration (calibrated: ${Object.keys(calibration.models).join(', ') || 'none'}); run chatbench simulate calibrate`);
  }
  return fitted;
}

/** Prices one model's actions: the groups a scenario or a workload performs. */
export function priceGroups(calibration: Calibration, model: string, groups: readonly ActionGroup[]): PricedModel {
  const fitted = modelCalibration(calibration, model);
  const actions: Record<string, PricedKind> = {};
  const kinds = [...new Set([...groups.map((group) => group.kind), ...Object.keys(fitted.derived)])];
  kinds.sort((a, b) => ACTION_KINDS.indexOf(a as never) - ACTION_KINDS.indexOf(b as never));
  for (const kind of kinds) {
    const own = groups.filter((group) => group.kind === kind);
    const figures: Record<string, number> = { count: 0, ...Object.fromEntries(FITTED_FIGURES.map((figure) => [figure, 0])) };
    const notes = new Set<string>();
    let exact = own.length > 0;
    if (own.length === 0) {
      // a kind no shape describes (a model's own background work): fitted on the shaped counts
      const counts = shapedCounts([...groups]);
      const derived = fitted.derived[kind]!;
      figures.count = Math.round(Math.max(0, evaluateFloat(derived.count!.coefficients, counts)));
      for (const figure of FITTED_FIGURES) figures[figure] = derived[figure] ? Math.round(Math.max(0, evaluateFloat(derived[figure].coefficients, counts))) : 0;
      notes.add('estimated from the counts of the other actions (no scenario shape describes this action)');
      exact = false;
    }
    for (const group of own) {
      figures.count = figures.count! + group.count;
      if (!group.exact) exact = false;
      for (const figure of FITTED_FIGURES) {
        // an extra figure a calibration never measured (made before it existed) is left out
        if (!REQUIRED_FIGURES.includes(figure) && !fitted.actions[kind]?.[figure]) continue;
        const priced = priceFigure(fitted.actions[kind]?.[figure], group);
        figures[figure] = figures[figure]! + priced.value;
        if (!priced.exact) exact = false;
        if (priced.note) notes.add(priced.note);
      }
    }
    for (const figure of FITTED_FIGURES) {
      figures[figure] = Math.round(figures[figure]!);
      // as in results: a figure beyond the spec's five appears only when it is not 0
      if (!REQUIRED_FIGURES.includes(figure) && figures[figure] === 0) delete figures[figure];
    }
    if (figures.count === 0 && FITTED_FIGURES.every((figure) => !figures[figure])) continue;
    actions[kind] = { figures: figures as ActionFigures, basis: exact ? 'exact' : 'estimated', notes: [...notes].slice(0, 4) };
  }
  return { actions, walBytes: walOf(fitted, actions) };
}

export function walOf(fitted: ModelCalibration, actions: Record<string, PricedKind>): number {
  const counts = Object.fromEntries(Object.entries(actions).map(([kind, priced]) => [kind, priced.figures.count]));
  const rows = Object.fromEntries(Object.entries(actions).map(([kind, priced]) => [kind, priced.figures['db.rows_written']]));
  return Math.max(0, Math.round(evaluateFloat(fitted.wal.coefficients, walPoint(counts, rows))));
}
