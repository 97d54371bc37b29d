// Predicted against measured for a run the fit had not seen: the simulator's own error.
export const VALIDATION_TOLERANCE = {
  /** per-action counts of exact actions must match exactly */
  walRelative: 0.1,
  ackP50Relative: 0.25,
};

export interface FigureCheck {
  model: string;
  kind: string;
  figure: string;
  predicted: number;
  measured: number;
  basis: 'exact' | 'estimated';
}

export interface ErrorCheck {
  predicted: number;
  measured: number;
  /** (predicted - measured) / measured */
  error: number;
  tolerance: number;
  ok: boolean;
}

export interface Validation {
  scenario: string;
  vary: string;
  calibratedOn: [number, number];
  predictedAt: number;
  params: Record<string, number>;
  seed: number;
  runIds: { calibration: string[]; measured: string };
  /** every figure of every action kind, per model */
  figures: FigureCheck[];
  /** exact figures that differ: must be none */
  exactMismatches: number;
  wal: Record<string, ErrorCheck>;
  ackP50: Record<string, ErrorCheck>;
  ok: boolean;
  measuredAt: { gitSha: string; dirty: boolean; createdAt: string; machine: { cores: number; cpuModel?: string }; loadAverage: { before: number; after: number } };
}
