// Shared by every chart: the factory signature and one look, so charts read as one report.
import type { TopLevelSpec } from 'vega-lite';
import type { Simulation } from '../../analysis/simulation/simulation.ts';
import type { RunReportData, SweepData } from '../types.ts';

export type ChartSpec = TopLevelSpec;

/** What a factory may draw from: a run's chart gets `run`, the sweep chart `sweep`, the simulation's `simulation`. */
export interface ChartSource {
  run?: RunReportData;
  sweep?: SweepData;
  simulation?: Simulation;
}

export interface ChartDefinition {
  title: string;
  /** returns undefined when the source has no data for this chart */
  build(source: ChartSource): ChartSpec | undefined;
}

/**
 * Colours by position in the report's model order (the baseline first), so any number of models
 * get distinct colours (twelve before they repeat) and a model keeps its colour in every chart of
 * a run. Dark2 first, then Paired's darker half: distinguishable in print and by most colour-blind readers.
 */
export const MODEL_PALETTE = ['#d95f02', '#1b6ca8', '#7570b3', '#66a61e', '#e7298a', '#a6761d', '#e6ab02', '#666666', '#1f78b4', '#33a02c', '#e31a1c', '#6a3d9a'];

export function modelColorScale(models: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...models], range: models.map((_, index) => MODEL_PALETTE[index % MODEL_PALETTE.length]!) };
}

/** Config for static, print-friendly output: no interaction, plain fonts, white background. */
export const CHART_CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Above this max/min ratio a linear axis hides the smaller model's bars. */
export const LOG_SCALE_RATIO = 10;

export function needsLogScale(values: readonly number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) >= LOG_SCALE_RATIO;
}
