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

/** Fixed colours so a model looks the same in every chart; others fall back to the scheme. */
const MODEL_COLORS: Record<string, string> = { naive: '#d95f02', watermark: '#1b6ca8' };
const FALLBACK_COLORS = ['#7570b3', '#66a61e', '#e7298a', '#a6761d'];

export function modelColorScale(models: readonly string[]): { domain: string[]; range: string[] } {
  let fallback = 0;
  const range = models.map((m) => MODEL_COLORS[m] ?? FALLBACK_COLORS[fallback++ % FALLBACK_COLORS.length]!);
  return { domain: [...models], range };
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
