// Chart registry: the report draws every entry that has data, in this order. A new chart is a
// new file plus one line here; the contract test loops over every entry.
import type { ChartDefinition } from './common.ts';
import { eventsPushed } from './events-pushed.ts';
import { latencyPercentiles } from './latency-percentiles.ts';
import { reconnectTimeline } from './reconnect-timeline.ts';
import { rowsWritten } from './rows-written.ts';
import { sensitivity } from './sensitivity.ts';
import { sweepCost } from './sweep-cost.ts';
import { walPhases } from './wal-phases.ts';

export type { ChartDefinition, ChartSource, ChartSpec } from './common.ts';

export const CHARTS: Record<string, ChartDefinition> = {
  'rows-written': rowsWritten,
  'events-pushed': eventsPushed,
  'latency-percentiles': latencyPercentiles,
  'reconnect-timeline': reconnectTimeline,
  'wal-phases': walPhases,
  'sweep-cost': sweepCost,
  sensitivity,
};
