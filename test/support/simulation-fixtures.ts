// A simulation built from committed inputs only: the fixture calibration (real runs, refitted
// from the store) and the shipped workload. Deterministic, so goldens hold.
import { readFileSync } from 'node:fs';
import { parseCalibration, type Calibration } from '../../analysis/simulation/calibration.ts';
import { simulateWorkload, type Simulation } from '../../analysis/simulation/simulation.ts';
import type { Validation } from '../../analysis/simulation/validation.ts';
import { parseWorkload, type Workload } from '../../analysis/simulation/workload.ts';
import whatsapp from '../../workloads/whatsapp-500m.ts';

export const CALIBRATION_FIXTURE = 'test/fixtures/calibration/reference.json';

export function fixtureCalibration(): Calibration {
  return parseCalibration(JSON.parse(readFileSync(CALIBRATION_FIXTURE, 'utf8')), CALIBRATION_FIXTURE);
}

export function shippedWorkload(): Workload {
  return parseWorkload(whatsapp, 'workloads/whatsapp-500m.ts', ['naive', 'watermark']);
}

/** A validation as simulate validate records it (hand-made: the numbers are not measured). */
export function fixtureValidation(): Validation {
  return {
    scenario: 'vacation-backlog',
    calibratedOn: [{ backlog: 30, sendRate: 100 }, { backlog: 90, sendRate: 300 }],
    predictedAt: { backlog: 60, sendRate: 200 },
    params: { pairs: 7, backlog: 60, sendRate: 200 },
    seed: 1,
    runIds: { calibration: ['fixture-a', 'fixture-b'], measured: 'fixture-c' },
    figures: [],
    exactMismatches: 0,
    wal: { naive: { predicted: 105, measured: 100, error: 0.05, tolerance: 0.1, ok: true }, watermark: { predicted: 80, measured: 100, error: -0.2, tolerance: 0.1, ok: false } },
    ackP50: { naive: { predicted: 1.1, measured: 1, error: 0.1, tolerance: 0.25, ok: true }, watermark: { predicted: 1, measured: 1, error: 0, tolerance: 0.25, ok: true } },
    ok: false,
    measuredAt: { gitSha: '0'.repeat(40), dirty: false, createdAt: '2026-11-30T00:00:00.000Z', machine: { cores: 2 }, loadAverage: { before: 0.5, after: 0.6 } },
  };
}

export function fixtureSimulation(options: { validation?: boolean; seed?: number } = {}): Simulation {
  const calibration = fixtureCalibration();
  if (options.validation) calibration.validation = fixtureValidation();
  return simulateWorkload({ workload: shippedWorkload(), workloadSource: 'workloads/whatsapp-500m.ts', calibration, calibrationFile: CALIBRATION_FIXTURE, models: ['naive', 'watermark'], baseline: 'naive', seed: options.seed ?? 1 });
}
