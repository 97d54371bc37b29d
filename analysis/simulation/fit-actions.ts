// Fits each model's per-action figures from measured runs: one point per run and action kind,
// its features summed over the actions the scenario's shapes say the run performed, its target
// the measured total. Exact where the shapes are exact; estimated (floating, non-negative)
// over every point; and the shapes' own counts are checked against the measured counts.
import type { RunResults } from '../results-schema.ts';
import type { FigureFit, ModelCalibration } from './calibration.ts';
import { fitExact, type FitPoint } from './exact-fit.ts';
import { featuresFor, FITTED_FIGURES, type ActionGroup } from './features.ts';
import { fitFloat, type FloatPoint } from './least-squares.ts';
import { SHAPES } from './shapes/index.ts';

export interface ShapedRun {
  results: RunResults;
  groups: ActionGroup[];
}

/** The shapes of every run's actions; a run of a scenario the simulator does not know is refused by name. */
export function shapeRuns(runs: readonly RunResults[]): ShapedRun[] {
  return runs.map((results) => {
    const shapes = SHAPES[results.scenario];
    if (!shapes) throw new Error(`run ${results.runId}: the simulator has no shapes for scenario ${results.scenario}`);
    return { results, groups: shapes.actions(numericParams(results.params), results.seed) };
  });
}

export function numericParams(params: Record<string, number | string | boolean>): Record<string, number> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Number(value)]));
}

function sumFeatures(groups: ActionGroup[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const group of groups) for (const [name, value] of Object.entries(group.features)) total[name] = (total[name] ?? 0) + value;
  return total;
}

/** Counts of every shaped kind in a run: what a kind no shape describes is fitted on. */
export function shapedCounts(groups: ActionGroup[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const group of groups) counts[`count:${group.kind}`] = (counts[`count:${group.kind}`] ?? 0) + group.count;
  return counts;
}

export function fitActions(model: string, runs: ShapedRun[]): Pick<ModelCalibration, 'actions' | 'derived'> & { errors: string[] } {
  const errors: string[] = [];
  const kinds = new Set<string>();
  for (const { results, groups } of runs) {
    for (const kind of Object.keys(results.models[model]?.actions ?? {})) kinds.add(kind);
    for (const group of groups) kinds.add(group.kind);
  }
  const actions: ModelCalibration['actions'] = {};
  const derived: ModelCalibration['derived'] = {};
  const derivedFeatures = [...new Set(runs.flatMap((run) => Object.keys(shapedCounts(run.groups))))].sort();
  for (const kind of kinds) {
    const shaped = runs.filter((run) => run.groups.some((group) => group.kind === kind));
    if (shaped.length === 0) {
      derived[kind] = fitDerived(model, kind, runs, derivedFeatures);
      continue;
    }
    const exactPoints: Record<string, FitPoint[]> = {};
    const allPoints: Record<string, FloatPoint[]> = {};
    for (const { results, groups } of shaped) {
      const measured = results.models[model]?.actions[kind as keyof RunResults['models'][string]['actions']];
      const own = groups.filter((group) => group.kind === kind);
      const count = own.reduce((sum, group) => sum + group.count, 0);
      const exact = own.every((group) => group.exact);
      const sizes = new Set(own.map((group) => group.members));
      if (exact && (measured?.count ?? 0) !== count) {
        errors.push(`${model} ${kind}: the ${results.scenario} shapes say ${count} actions, run ${results.runId} counted ${measured?.count ?? 0}`);
      }
      const pointFeatures = sumFeatures(own);
      for (const figure of FITTED_FIGURES) {
        const target = (measured as Record<string, number> | undefined)?.[figure] ?? 0;
        (allPoints[figure] ??= []).push({ features: pointFeatures, target });
        if (exact && sizes.size === 1) {
          (exactPoints[figure] ??= []).push({ features: pointFeatures, target, members: [...sizes][0]!, source: `${results.runId} ${kind}` });
        }
      }
    }
    const figures: Record<string, FigureFit> = {};
    for (const figure of FITTED_FIGURES) {
      const features = featuresFor(kind, figure);
      const fit: FigureFit = {};
      const exact = exactPoints[figure] ?? [];
      if (exact.length) {
        fit.exact = fitExact(exact, features);
        if (!fit.exact.exact) {
          const misses = fit.exact.segments.flatMap((segment) => segment.misses);
          errors.push(`${model} ${kind} ${figure}: no exact fit over ${exact.length} calibration points (${misses.slice(0, 2).join('; ')})`);
        }
      }
      fit.estimate = { ...fitFloat(allPoints[figure] ?? [], features, { nonNegative: true }), features };
      figures[figure] = fit;
    }
    actions[kind] = figures;
  }
  return { actions, derived, errors };
}

function fitDerived(model: string, kind: string, runs: ShapedRun[], features: string[]) {
  const points = (target: (run: ShapedRun) => number) => runs.map((run) => ({ features: shapedCounts(run.groups), target: target(run) }));
  const measured = (run: ShapedRun) => run.results.models[model]?.actions[kind as 'send'];
  const fits: Record<string, ReturnType<typeof fitFloat>> = { count: fitFloat(points((run) => measured(run)?.count ?? 0), features, { nonNegative: true }) };
  for (const figure of FITTED_FIGURES) fits[figure] = fitFloat(points((run) => (measured(run) as Record<string, number> | undefined)?.[figure] ?? 0), features, { nonNegative: true });
  return fits;
}
