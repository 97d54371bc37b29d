// The simulator's knowledge of every scenario: one file each, one line here. The contract test
// fails for a scenario in the scenario registry that has no entry.
import group1000 from './group-1000.ts';
import massReconnect from './mass-reconnect.ts';
import receiptsToggle from './receipts-toggle.ts';
import type { ScenarioShapes } from './types.ts';
import vacationBacklog from './vacation-backlog.ts';

export const SHAPES: Record<string, ScenarioShapes> = {
  'vacation-backlog': vacationBacklog,
  'receipts-toggle': receiptsToggle,
  'mass-reconnect': massReconnect,
  'group-1000': group1000,
};

export type { Params, ScenarioShapes } from './types.ts';
