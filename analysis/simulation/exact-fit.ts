// Exact linear fits over integer features: target = sum(coefficient_i * feature_i), solved in
// rationals, with the residual of every calibration point kept. Features that never varied
// independently in calibration are not guessed at: each is recorded as the combination of the
// kept features it equalled, and a prediction whose features break that combination is reported
// as not identified instead of extrapolated silently.
import { add, div, format, fromInteger, isZero, mul, parse, sub, toNumber, ZERO, type Rational } from './rational.ts';

export interface FitPoint {
  features: Record<string, number>;
  target: number;
  /** the conversation size the point's actions happened in: fits may be piecewise in it */
  members: number;
  /** where the point came from (a run id and action), for residual reports */
  source: string;
}

export interface LinearPiece {
  /** features kept, in vocabulary order, with their coefficients ("3", "1/2") */
  coefficients: Record<string, string>;
  /** dropped feature -> the kept features it equalled in every calibration point */
  dependencies: Record<string, Record<string, string>>;
}

export interface ExactSegment extends LinearPiece {
  /** calibrated conversation sizes this piece was fitted on, inclusive */
  members: [number, number];
  points: number;
  /** largest |measured - fitted| over its points; 0 for an exact fit */
  maxAbsResidual: number;
  /** points whose residual was not 0 (at most a few, for the error message) */
  misses: string[];
}

export interface ExactFit {
  features: string[];
  segments: ExactSegment[];
  exact: boolean;
}

/** Reduced row echelon form over rationals; returns pivot columns. */
function rref(matrix: Rational[][], columns: number): { rows: Rational[][]; pivots: number[] } {
  const rows = matrix.map((row) => [...row]);
  const pivots: number[] = [];
  let r = 0;
  for (let c = 0; c < columns && r < rows.length; c++) {
    const p = rows.findIndex((row, index) => index >= r && !isZero(row[c]!));
    if (p < 0) continue;
    [rows[r], rows[p]] = [rows[p]!, rows[r]!];
    const pivot = rows[r]![c]!;
    rows[r] = rows[r]!.map((value) => div(value, pivot));
    for (let i = 0; i < rows.length; i++) {
      if (i === r || isZero(rows[i]![c]!)) continue;
      const factor = rows[i]![c]!;
      rows[i] = rows[i]!.map((value, j) => sub(value, mul(factor, rows[r]![j]!)));
    }
    pivots.push(c);
    r += 1;
  }
  return { rows, pivots };
}

/** Solves the square system A x = b exactly (A invertible). */
function solve(a: Rational[][], b: Rational[]): Rational[] {
  const augmented = a.map((row, i) => [...row, b[i]!]);
  const { rows } = rref(augmented, a.length);
  return rows.map((row) => row[a.length]!);
}

function fitPiece(points: FitPoint[], features: string[]): { piece: LinearPiece; residuals: Rational[] } {
  const matrix = points.map((point) => features.map((name) => fromInteger(point.features[name] ?? 0)));
  const { rows, pivots } = rref(matrix, features.length);
  const kept = pivots.map((c) => features[c]!);
  const dependencies: LinearPiece['dependencies'] = {};
  features.forEach((name, c) => {
    if (pivots.includes(c)) return;
    const combination: Record<string, string> = {};
    pivots.forEach((pc, r) => {
      const factor = rows[r]![c]!;
      if (!isZero(factor)) combination[features[pc]!] = format(factor);
    });
    dependencies[name] = combination;
  });
  // least squares on the independent columns, exactly: (K^T K) c = K^T y
  const k = points.map((point) => kept.map((name) => fromInteger(point.features[name] ?? 0)));
  const y = points.map((point) => fromInteger(point.target));
  const normal = kept.map((_, i) => kept.map((__, j) => k.reduce((sum, row) => add(sum, mul(row[i]!, row[j]!)), ZERO)));
  const rhs = kept.map((_, i) => k.reduce((sum, row, p) => add(sum, mul(row[i]!, y[p]!)), ZERO));
  const solution = kept.length ? solve(normal, rhs) : [];
  const coefficients = Object.fromEntries(kept.map((name, i) => [name, format(solution[i]!)]));
  const residuals = k.map((row, p) => sub(y[p]!, row.reduce((sum, value, i) => add(sum, mul(value, solution[i]!)), ZERO)));
  return { piece: { coefficients, dependencies }, residuals };
}

function segment(points: FitPoint[], features: string[]): ExactSegment {
  const { piece, residuals } = fitPiece(points, features);
  const sizes = points.map((point) => point.members);
  const misses = points.flatMap((point, i) => (isZero(residuals[i]!) ? [] : [`${point.source}: measured ${point.target}, fitted ${toNumber(sub(fromInteger(point.target), residuals[i]!))}`]));
  return {
    ...piece,
    members: [Math.min(...sizes), Math.max(...sizes)],
    points: points.length,
    maxAbsResidual: Math.max(0, ...residuals.map((r) => Math.abs(toNumber(r)))),
    misses: misses.slice(0, 5),
  };
}

export const EXACT_FIT_DEFAULTS = {
  /** at most this many pieces in conversation size (a threshold model has two) */
  maxSegments: 3,
};

/** Every way to cut sorted sizes into `pieces` contiguous runs. */
function partitions(sizes: number[], pieces: number): number[][][] {
  if (pieces === 1) return [[sizes]];
  const out: number[][][] = [];
  for (let cut = 1; cut <= sizes.length - pieces + 1; cut++) {
    for (const rest of partitions(sizes.slice(cut), pieces - 1)) out.push([sizes.slice(0, cut), ...rest]);
  }
  return out;
}

/**
 * Fits points exactly, one piece if that leaves no residual, else piecewise in conversation size:
 * the fewest pieces that are each exact, and among those the cut whose smallest piece holds
 * the most points (a piece of one point fits anything and proves nothing).
 */
export function fitExact(points: FitPoint[], features: string[], maxSegments = EXACT_FIT_DEFAULTS.maxSegments): ExactFit {
  if (points.length === 0) return { features, segments: [], exact: true };
  const whole = segment(points, features);
  if (whole.maxAbsResidual === 0 || maxSegments < 2) return { features, segments: [whole], exact: whole.maxAbsResidual === 0 };
  const sizes = [...new Set(points.map((point) => point.members))].sort((a, b) => a - b);
  for (let pieces = 2; pieces <= Math.min(maxSegments, sizes.length); pieces++) {
    const candidates = partitions(sizes, pieces).map((cut) => cut.map((run) => points.filter((point) => run.includes(point.members))));
    candidates.sort((a, b) => Math.min(...b.map((piece) => piece.length)) - Math.min(...a.map((piece) => piece.length)));
    for (const candidate of candidates) {
      const segments = candidate.map((piece) => segment(piece, features));
      if (segments.every((s) => s.maxAbsResidual === 0)) return { features, segments, exact: true };
    }
  }
  return { features, segments: [whole], exact: false };
}

export type Evaluation =
  | { ok: true; value: number; exact: boolean; extrapolated?: string }
  | { ok: false; reason: string };

const TOLERANCE = 1e-9;

/** Evaluates a fitted piece at features that need not be integers (a workload's means). */
export function evaluatePiece(piece: LinearPiece, features: Record<string, number>): Evaluation {
  for (const [name, combination] of Object.entries(piece.dependencies)) {
    const implied = Object.entries(combination).reduce((sum, [kept, factor]) => sum + toNumber(parse(factor)) * (features[kept] ?? 0), 0);
    const actual = features[name] ?? 0;
    if (Math.abs(actual - implied) > TOLERANCE * Math.max(1, Math.abs(actual))) {
      return { ok: false, reason: `${name} never varied apart from ${Object.keys(combination).join(', ') || 'zero'} in calibration` };
    }
  }
  const integral = Object.values(features).every(Number.isSafeInteger);
  if (integral) {
    const total = Object.entries(piece.coefficients).reduce((sum, [name, c]) => add(sum, mul(parse(c), fromInteger(features[name] ?? 0))), ZERO);
    return { ok: true, value: toNumber(total), exact: total.d === 1n };
  }
  // mean features (a workload's): the exact cost applied to averages, exact as a fit
  const value = Object.entries(piece.coefficients).reduce((sum, [name, c]) => sum + toNumber(parse(c)) * (features[name] ?? 0), 0);
  return { ok: true, value, exact: true };
}

/** Evaluates an exact fit for actions in conversations of `members` members. */
export function evaluateExact(fit: ExactFit, features: Record<string, number>, members: number): Evaluation {
  if (fit.segments.length === 0) return { ok: false, reason: 'no calibration point' };
  const inside = fit.segments.find((s) => s.members[0] <= members && members <= s.members[1]);
  if (inside) return evaluatePiece(inside, features);
  const first = fit.segments[0]!;
  const last = fit.segments[fit.segments.length - 1]!;
  if (members < first.members[0] || members > last.members[1]) {
    const nearest = members < first.members[0] ? first : last;
    const result = evaluatePiece(nearest, features);
    return result.ok ? { ...result, extrapolated: `conversations of ${members} members, calibrated on ${nearest.members[0]}-${nearest.members[1]}` } : result;
  }
  const before = fit.segments.filter((s) => s.members[1] < members).pop()!;
  return { ok: false, reason: `cost changes between conversations of ${before.members[1]} and ${fit.segments[fit.segments.indexOf(before) + 1]!.members[0]} members, and ${members} was not calibrated` };
}
