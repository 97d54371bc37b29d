// Report inputs built from the hand-made fixtures (never measured runs).
import { loadRunDir, sweepFromRuns } from '../../reports/load.ts';
import type { RunReportData, SweepData } from '../../reports/types.ts';

export const VACATION_DIR = 'test/fixtures/runs/vacation-small';
export const RECONNECT_DIR = 'test/fixtures/runs/mass-reconnect-small';
export const SWEEP_DIRS = [5, 10, 20].map((b) => `test/fixtures/sweeps/backlog/${b}`);

export const vacationRun = (): Promise<RunReportData> => loadRunDir(VACATION_DIR);
export const reconnectRun = (): Promise<RunReportData> => loadRunDir(RECONNECT_DIR);

export async function backlogSweep(): Promise<SweepData> {
  const runs = await Promise.all(SWEEP_DIRS.map(loadRunDir));
  const sweep = sweepFromRuns('fixture-sweep-backlog', runs.map((r) => r.results));
  if (!sweep) throw new Error('sweep fixture does not form a sweep');
  return sweep;
}
