// Every scenario chatbench can run: one file each, one line here.
import type { ScenarioDefinition } from './define.ts';
import group1000 from './group-1000.ts';
import massReconnect from './mass-reconnect.ts';
import receiptsToggle from './receipts-toggle.ts';
import vacationBacklog from './vacation-backlog.ts';

// null prototype: a lookup by a user's string (`run toString`) finds only scenarios, never
// Object.prototype's members
export const SCENARIOS: Record<string, ScenarioDefinition> = Object.assign(Object.create(null) as Record<string, ScenarioDefinition>, {
  'vacation-backlog': vacationBacklog as unknown as ScenarioDefinition,
  'group-1000': group1000 as unknown as ScenarioDefinition,
  'mass-reconnect': massReconnect as unknown as ScenarioDefinition,
  'receipts-toggle': receiptsToggle as unknown as ScenarioDefinition,
});

export function scenarioIds(): string[] {
  return Object.keys(SCENARIOS);
}
