// The gate's public surface: load thresholds, evaluate runs, render the verdict.
export { defineThresholds, loadGateFile, parseGateFile, parseGateJson, ThresholdsError } from './thresholds.ts';
export type { GateFile, GateFileSpec, Threshold, ThresholdSpec } from './thresholds.ts';
export { evaluateGate, GateInputError, workloadDifference } from './evaluate.ts';
export type { GateReport, Outcome, Verdict } from './evaluate.ts';
export { renderJunit } from './junit.ts';
export { renderMarkdown } from './markdown.ts';
export { renderTable } from './table.ts';
export type { GateMetricName } from './metrics.ts';
