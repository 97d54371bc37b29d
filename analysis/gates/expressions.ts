// Threshold expressions, in k6's spirit but readable as a spec: `p99 < 100`, `== 1`,
// `p95 < baseline * 1.10`, `== baseline`, `== true`. Parsed once when the file loads so a typo
// fails before any run starts, with a message that says what was expected.
import { QUANTILES, type QuantileName } from '../metric-names.ts';
import type { MetricKind } from './metrics.ts';
import { VALUE_TYPE } from './metrics.ts';

export const OPERATORS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '==': (a: number, b: number) => a === b,
} as const;
export type Operator = keyof typeof OPERATORS;

/** How a baseline value becomes a limit: `baseline`, `baseline * 1.1`, `baseline + 5`. */
export const BASELINE_ARITHMETIC = {
  '*': (base: number, n: number) => base * n,
  '+': (base: number, n: number) => base + n,
  '-': (base: number, n: number) => base - n,
} as const;
export type BaselineOp = keyof typeof BASELINE_ARITHMETIC;

export type Limit =
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'baseline'; arithmetic?: { op: BaselineOp; operand: number } };

export interface Expression {
  source: string;
  /** latencies only */
  quantile?: QuantileName;
  op: Operator;
  limit: Limit;
}

export class ExpressionError extends Error {}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Longest operators first, so `<=` is not read as `<` followed by `= ...`.
const OPERATOR_TOKENS = (Object.keys(OPERATORS) as Operator[]).sort((a, b) => b.length - a.length);
const AGGREGATE = /^(p\(\s*\d+(?:\.\d+)?\s*\)|p\d+(?:\.\d+)?|max|min|mean|avg|med)(?![\w.])/;
const OPS_LIST = Object.keys(OPERATORS).join(', ');

/** Parses one expression for a metric of the given kind; throws ExpressionError. */
export function parseExpression(source: string, kind: MetricKind): Expression {
  let rest = source.trim();
  if (rest === '') throw new ExpressionError('empty expression');
  const valueType = VALUE_TYPE[kind];

  let quantile: QuantileName | undefined;
  const aggregate = AGGREGATE.exec(rest);
  if (kind === 'latency') {
    if (!aggregate) {
      throw new ExpressionError(`expected <${QUANTILES.join('|')}> <op> <number>, e.g. "p99 < 100"`);
    }
    // k6 writes p(95); we accept it as p95 so thresholds can be carried over.
    const name = aggregate[1]!.replace(/^p\(\s*([\d.]+)\s*\)$/, 'p$1');
    if (!(QUANTILES as readonly string[]).includes(name)) {
      throw new ExpressionError(`unknown aggregate "${aggregate[1]}"; valid: ${QUANTILES.join(', ')}`);
    }
    quantile = name as QuantileName;
    rest = rest.slice(aggregate[0].length).trimStart();
  } else if (aggregate) {
    throw new ExpressionError(`"${aggregate[1]}" applies to latency metrics only; write e.g. "== 1"`);
  }

  const op = OPERATOR_TOKENS.find((token) => rest.startsWith(token));
  const expected =
    valueType === 'boolean'
      ? 'expected == true or == false'
      : `expected <op> <number> or <op> baseline [* N], where <op> is one of ${OPS_LIST}`;
  if (!op) throw new ExpressionError(expected);
  rest = rest.slice(op.length).trim();

  const limit = parseLimit(rest, valueType);
  if (!limit) throw new ExpressionError(expected);
  if (valueType === 'boolean' && op !== '==') throw new ExpressionError(expected);
  return { source, quantile, op, limit };
}

function parseLimit(text: string, valueType: 'number' | 'boolean'): Limit | undefined {
  if (valueType === 'boolean') {
    if (text === 'true' || text === 'false') return { kind: 'boolean', value: text === 'true' };
    return undefined;
  }
  if (NUMBER.test(text)) return { kind: 'number', value: finite(text) };
  const baseline = /^baseline(?:\s*([*+-])\s*(\S+))?$/.exec(text);
  if (!baseline) return undefined;
  if (baseline[1] === undefined) return { kind: 'baseline' };
  if (!NUMBER.test(baseline[2]!)) return undefined;
  return { kind: 'baseline', arithmetic: { op: baseline[1] as BaselineOp, operand: finite(baseline[2]!) } };
}

/** 1e999 is Infinity: a threshold no figure can cross would pass every gate. */
function finite(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ExpressionError(`${text} is not a finite number`);
  return value;
}

/** The limit as written, for tables and reports: `baseline * 1.1`. */
export function describeLimit(limit: Limit): string {
  if (limit.kind !== 'baseline') return String(limit.value);
  return limit.arithmetic ? `baseline ${limit.arithmetic.op} ${limit.arithmetic.operand}` : 'baseline';
}
