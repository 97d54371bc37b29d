// Magnitudes a reader can say out loud, in decimal units as the design's estimate uses them
// (1 KB = 1000 bytes): 1.16 million messages/s, 500 GB, 5.48 PB.

const COUNT_SCALES: Array<[number, string]> = [
  [1e12, 'trillion'],
  [1e9, 'billion'],
  [1e6, 'million'],
];
const BYTE_SCALES: Array<[number, string]> = [
  [1e15, 'PB'],
  [1e12, 'TB'],
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'KB'],
];

function threeDigits(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(3));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function formatCount(value: number): string {
  for (const [scale, word] of COUNT_SCALES) if (Math.abs(value) >= scale) return `${threeDigits(value / scale)} ${word}`;
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : threeDigits(value);
}

export function formatBytes(value: number): string {
  for (const [scale, unit] of BYTE_SCALES) if (Math.abs(value) >= scale) return `${threeDigits(value / scale)} ${unit}`;
  return `${Math.round(value)} B`;
}

/** A figure with its unit: bytes get byte units, everything else a count and the unit word. */
export function formatFigure(value: number, unit: string): string {
  if (unit.startsWith('bytes')) return `${formatBytes(value)}${unit.slice(5)}`;
  return `${formatCount(value)} ${unit}`;
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '-';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x`;
}

export function formatMs(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${Number(value.toPrecision(3))} ms`;
}
