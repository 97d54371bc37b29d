// Statistics shared by benchmark files (kept apart from bench/run.ts, which imports them).
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** to two decimals, for printed ratios and figures */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
