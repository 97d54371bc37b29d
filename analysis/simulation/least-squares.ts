// Floating-point fits for what is measured, not counted: WAL bytes, bytes per stored row, CPU,
// and actions whose shape depends on timing. Non-negative where a negative cost would be
// nonsense; every fit keeps its residuals so reports can say how well it explains its points.

export interface FloatFit {
  coefficients: Record<string, number>;
  points: number;
  /** sqrt(mean squared residual) */
  rmse: number;
  /** largest |residual| / |measured| over points with a non-zero measurement */
  maxRelativeError: number;
  /** sum of |residual| over sum of |measured|: how far the fit is off in total */
  totalRelativeError: number;
}

export interface FloatPoint {
  features: Record<string, number>;
  target: number;
}

/** Lawson-Hanson non-negative least squares: min |A x - b| subject to x >= 0. */
export function nnls(a: number[][], b: number[], maxIterations = 500): number[] {
  const columns = a[0]?.length ?? 0;
  const x = new Array<number>(columns).fill(0);
  const passive = new Set<number>();
  const gradient = () => {
    const residual = b.map((bi, i) => bi - a[i]!.reduce((sum, aij, j) => sum + aij * x[j]!, 0));
    return Array.from({ length: columns }, (_, j) => a.reduce((sum, row, i) => sum + row[j]! * residual[i]!, 0));
  };
  const scale = Math.max(1, ...a.flat().map(Math.abs)) * Math.max(1, ...b.map(Math.abs));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < columns; j++) if (!passive.has(j) && w[j]! > 1e-10 * scale && (best < 0 || w[j]! > w[best]!)) best = j;
    if (best < 0) break;
    passive.add(best);
    for (;;) {
      const order = [...passive].sort((p, q) => p - q);
      const z = solveLeastSquares(a.map((row) => order.map((j) => row[j]!)), b);
      if (order.every((_, k) => z[k]! > 0)) {
        order.forEach((j, k) => (x[j] = z[k]!));
        break;
      }
      let alpha = 1;
      order.forEach((j, k) => {
        if (z[k]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[k]!));
      });
      order.forEach((j, k) => {
        x[j] = x[j]! + alpha * (z[k]! - x[j]!);
        if (x[j]! <= 1e-12) {
          x[j] = 0;
          passive.delete(j);
        }
      });
      if (passive.size === 0) break;
    }
  }
  return x;
}

/**
 * Least squares through a column-pivoted Gram-Schmidt: columns that add nothing (within a
 * relative tolerance) get 0, so collinear features do not blow up into huge opposite weights.
 */
export function solveLeastSquares(a: number[][], b: number[]): number[] {
  const rows = a.length;
  const columns = a[0]?.length ?? 0;
  const q: number[][] = [];
  const kept: number[] = [];
  const r: number[][] = [];
  for (let j = 0; j < columns; j++) {
    const v = a.map((row) => row[j]!);
    const norm0 = Math.hypot(...v);
    const coefficients: number[] = q.map(() => 0);
    // twice: one Gram-Schmidt pass loses orthogonality on nearly collinear columns
    for (let pass = 0; pass < 2; pass++) {
      q.forEach((basis, k) => {
        const dot = basis.reduce((sum, value, i) => sum + value * v[i]!, 0);
        coefficients[k] = coefficients[k]! + dot;
        for (let i = 0; i < rows; i++) v[i] = v[i]! - dot * basis[i]!;
      });
    }
    const norm = Math.hypot(...v);
    if (norm0 === 0 || norm <= 1e-9 * norm0) continue;
    q.push(v.map((value) => value / norm));
    r.push([...coefficients, norm]);
    kept.push(j);
  }
  // back substitution on R c = Q^T b
  const qtb = q.map((basis) => basis.reduce((sum, value, i) => sum + value * b[i]!, 0));
  const c = new Array<number>(kept.length).fill(0);
  for (let k = kept.length - 1; k >= 0; k--) {
    let value = qtb[k]!;
    for (let m = k + 1; m < kept.length; m++) value -= r[m]![k]! * c[m]!;
    c[k] = value / r[k]![k]!;
  }
  const x = new Array<number>(columns).fill(0);
  kept.forEach((j, k) => (x[j] = c[k]!));
  return x;
}

export function fitFloat(points: FloatPoint[], features: string[], options: { nonNegative?: boolean } = {}): FloatFit {
  const a = points.map((point) => features.map((name) => point.features[name] ?? 0));
  const b = points.map((point) => point.target);
  const x = points.length === 0 ? features.map(() => 0) : options.nonNegative ? nnls(a, b) : solveLeastSquares(a, b);
  const coefficients = Object.fromEntries(features.map((name, j) => [name, x[j]!]));
  return { coefficients, ...residualStats(points, coefficients) };
}

export function evaluateFloat(coefficients: Record<string, number>, features: Record<string, number>): number {
  return Object.entries(coefficients).reduce((sum, [name, c]) => sum + c * (features[name] ?? 0), 0);
}

function residualStats(points: FloatPoint[], coefficients: Record<string, number>): Omit<FloatFit, 'coefficients'> {
  let squares = 0;
  let maxRelativeError = 0;
  let absolute = 0;
  let measured = 0;
  for (const point of points) {
    const residual = point.target - evaluateFloat(coefficients, point.features);
    squares += residual * residual;
    absolute += Math.abs(residual);
    measured += Math.abs(point.target);
    if (point.target !== 0) maxRelativeError = Math.max(maxRelativeError, Math.abs(residual / point.target));
  }
  return { points: points.length, rmse: points.length ? Math.sqrt(squares / points.length) : 0, maxRelativeError, totalRelativeError: measured ? absolute / measured : 0 };
}
