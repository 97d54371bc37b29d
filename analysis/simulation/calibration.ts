// A calibration: every storage model's costs fitted from measured runs, with the fits'
// residuals and where the runs came from. `simulate calibrate` writes it; predict and the
// workload simulation read it, so they never start a database.
import type { ExactFit } from './exact-fit.ts';
import type { FloatFit } from './least-squares.ts';

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CALIBRATION_KIND = 'chatbench-calibration';

export const CALIBRATION_FILES = {
  /** this machine's own, written by `simulate calibrate` */
  local: join('.chatbench', 'calibration.json'),
  /** shipped with chatbench; regenerated with `simulate calibrate --out calibration/reference.json` */
  shipped: fileURLToPath(new URL('../../calibration/reference.json', import.meta.url)),
};
export const CALIBRATION_VERSION = 1;

export interface CalibrationRunRef {
  runId: string;
  scenario: string;
  params: Record<string, number | string | boolean>;
  seed: number;
}

export interface Provenance {
  /** chatbench's own checkout when the runs were made; `dirty` when it had uncommitted changes */
  gitSha: string;
  dirty: boolean;
  createdAt: string;
  command: string;
  machine: { cores: number; memoryBytes: number; platform: string; cpuModel?: string; node: string };
  /** 1-minute load average before and after the runs (-1: not known, a refit of stored runs) */
  loadAverage: { before: number; after: number };
  postgresVersion?: string;
  runs: CalibrationRunRef[];
}

/** One figure of one action kind: exact from actions whose shape a run fixes, else estimated. */
export interface FigureFit {
  exact?: ExactFit;
  estimate?: FloatFit & { features: string[] };
}

/** WAL bytes per phase = sum over kinds of (bytes per action * actions + bytes per row * rows written). */
export interface WalFit extends FloatFit {
  features: string[];
}

export interface TableFit {
  /** rows the table ends a run with, from the run's population (exact when the residual is 0) */
  rows: ExactFit;
  /** bytes on disk, indexes included, per row held: slope over calibration runs */
  bytesPerRow: number;
  bytesFit?: FloatFit;
}

export interface ServiceFit {
  /** server CPU ms = a * frames in + b * frames out + c * statements, over calibration runs */
  cpu: FloatFit & { features: string[] };
  /** server CPU over every frame in and out, ms per frame (for a quick reading) */
  cpuMsPerFrame: number;
  frames: number;
  /** query-layer time per statement, ms: per action kind and over all */
  dbMsPerStatement: Record<string, number>;
  dbMsPerStatementAll: number;
}

export interface CapacityFit {
  /** the highest statement rate one node and its Postgres sustained in a calibration phase */
  statementsPerSecond: number;
  how: string;
  /** statements the calibration machine's Postgres ran at once: its cores */
  databaseCores: number;
}

export interface ModelCalibration {
  /** kind -> count and figure fits ('count' for kinds whose count the shapes do not know) */
  actions: Record<string, Record<string, FigureFit>>;
  /** kinds measured that no scenario shape describes: fitted on the counts of the shaped kinds */
  derived: Record<string, Record<string, FloatFit>>;
  wal: WalFit;
  tables: Record<string, TableFit>;
  service: ServiceFit;
  capacity: CapacityFit;
}

export interface Calibration {
  kind: typeof CALIBRATION_KIND;
  version: number;
  provenance: Provenance;
  models: Record<string, ModelCalibration>;
  /** a count the spec defines exactly that did not fit exactly: the calibration must not be trusted */
  errors: string[];
  /** what `simulate validate` measured against a run the fit had not seen, when it was run */
  validation?: import('./validation.ts').Validation;
}

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/** Structural check at the boundary: a file that is not a calibration fails here, by name. */
export function parseCalibration(data: unknown, source: string): Calibration {
  const doc = data as Partial<Calibration> | null;
  if (!doc || typeof doc !== 'object' || doc.kind !== CALIBRATION_KIND) {
    throw new CalibrationError(`${source} is not a chatbench calibration (expected "kind": "${CALIBRATION_KIND}"); make one with chatbench simulate calibrate`);
  }
  if (doc.version !== CALIBRATION_VERSION) {
    throw new CalibrationError(`${source} has calibration version ${String(doc.version)}, this chatbench reads version ${CALIBRATION_VERSION}: run chatbench simulate calibrate again`);
  }
  if (!doc.models || typeof doc.models !== 'object' || !doc.provenance || !Array.isArray(doc.errors)) {
    throw new CalibrationError(`${source}: a calibration needs "models", "provenance" and "errors"`);
  }
  return doc as Calibration;
}
