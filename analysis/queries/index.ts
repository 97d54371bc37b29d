// The comparison queries reports and gates read: one module per question.
export { actionCosts, actionCostsForRuns, FIGURE_COLUMNS, type ActionCostRow } from './action-costs.ts';
export { latencyQuantiles, latencyQuantilesForRuns, QUANTILE_LEVELS, type LatencyQuantileRow } from './latency-quantiles.ts';
export { compareWithBaseline, type BaselineDeltaRow } from './baseline-compare.ts';
export { compareModels, ModelRatiosError, type ModelRatioRow } from './model-ratios.ts';
export { sweepCurve, SweepError, type SweepCurve, type SweepPoint } from './sweep-curve.ts';
