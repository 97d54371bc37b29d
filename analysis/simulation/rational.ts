// Exact rational numbers on BigInt. Counts the spec defines exactly must be fitted exactly: a
// coefficient of 1/2 is 1/2, and a residual of 0 is 0, not 1e-12.

export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(n: bigint | number, d: bigint | number = 1n): Rational {
  let num = BigInt(n);
  let den = BigInt(d);
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den) || 1n;
  return { n: num / g, d: den / g };
}

export const ZERO = rational(0);
export const ONE = rational(1);

/** An integer-valued number (a count) as a rational; anything else is refused, never rounded. */
export function fromInteger(value: number): Rational {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a safe integer, got ${value}`);
  return rational(value);
}

export const add = (a: Rational, b: Rational): Rational => rational(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rational(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rational(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => rational(a.n * b.d, a.d * b.n);
export const isZero = (a: Rational): boolean => a.n === 0n;
export const equals = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;
export const toNumber = (a: Rational): number => Number(a.n) / Number(a.d);

/** "3", "-1/2": how rationals travel in JSON (exact, and readable in a calibration file). */
export function format(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}

export function parse(text: string): Rational {
  const match = /^(-?\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) throw new SyntaxError(`not a rational number: ${JSON.stringify(text)}`);
  return rational(BigInt(match[1]!), BigInt(match[2] ?? '1'));
}
