// Exact fits: integer data with a linear law are fitted with zero residual and rational
// coefficients; a feature calibration never moved on its own is not guessed; a threshold in
// conversation size is found as pieces; data no line explains is reported, never rounded away.
import { describe, expect, it } from 'vitest';
import { evaluateExact, fitExact, type FitPoint } from '../../../analysis/simulation/exact-fit.ts';
import { fitFloat, nnls } from '../../../analysis/simulation/least-squares.ts';
import { format, parse, rational } from '../../../analysis/simulation/rational.ts';

const point = (features: Record<string, number>, target: number, members = 2): FitPoint => ({ features, target, members, source: `p${target}` });

describe('exact fit', () => {
  it('recovers an integer law with zero residual', () => {
    // statements = 1 per ack + 1 per covered message
    const points = [point({ actions: 3, covered: 30 }, 33), point({ actions: 5, covered: 12 }, 17), point({ actions: 2, covered: 40 }, 42)];
    const fit = fitExact(points, ['actions', 'covered']);
    expect(fit.exact).toBe(true);
    expect(fit.segments[0]!.coefficients).toEqual({ actions: '1', covered: '1' });
    expect(fit.segments[0]!.maxAbsResidual).toBe(0);
    expect(evaluateExact(fit, { actions: 7, covered: 1000 }, 2)).toEqual({ ok: true, value: 1007, exact: true });
  });

  it('keeps rational coefficients exact', () => {
    const fit = fitExact([point({ actions: 2 }, 7), point({ actions: 4 }, 14)], ['actions']);
    expect(fit.segments[0]!.coefficients.actions).toBe('7/2');
    expect(evaluateExact(fit, { actions: 6 }, 2)).toMatchObject({ value: 21, exact: true });
    // 7/2 x 3 is not a whole number of statements: not exact
    expect(evaluateExact(fit, { actions: 3 }, 2)).toMatchObject({ value: 10.5, exact: false });
  });

  it('records a feature that never varied apart and refuses predictions that break it', () => {
    // senders always equalled actions in calibration (1:1 chats)
    const points = [point({ actions: 3, senders: 3 }, 3), point({ actions: 8, senders: 8 }, 8)];
    const fit = fitExact(points, ['actions', 'senders']);
    expect(fit.segments[0]!.dependencies).toEqual({ senders: { actions: '1' } });
    expect(evaluateExact(fit, { actions: 10, senders: 10 }, 2)).toMatchObject({ ok: true, value: 10 });
    const refused = evaluateExact(fit, { actions: 10, senders: 25 }, 2);
    expect(refused).toEqual({ ok: false, reason: 'senders never varied apart from actions in calibration' });
  });

  it('finds a threshold in conversation size as two exact pieces', () => {
    // a hybrid model: one receipt row per recipient up to 8 members, none above
    const sizes = [2, 4, 8, 16, 32, 64];
    const points = sizes.map((members) => point({ actions: 10, recipients: 10 * (members - 1) }, members <= 8 ? 20 + 10 * (members - 1) : 20, members));
    const fit = fitExact(points, ['actions', 'recipients']);
    expect(fit.exact).toBe(true);
    expect(fit.segments.map((s) => s.members)).toEqual([[2, 8], [16, 64]]);
    expect(evaluateExact(fit, { actions: 1, recipients: 5 }, 6)).toMatchObject({ value: 7 });
    expect(evaluateExact(fit, { actions: 1, recipients: 39 }, 40)).toMatchObject({ value: 2 });
    // between the pieces nobody measured where the threshold is
    expect(evaluateExact(fit, { actions: 1, recipients: 11 }, 12)).toEqual({ ok: false, reason: 'cost changes between conversations of 8 and 16 members, and 12 was not calibrated' });
    // beyond the largest calibrated size: priced, and said to be an extrapolation
    expect(evaluateExact(fit, { actions: 1, recipients: 99 }, 100)).toMatchObject({ value: 2, extrapolated: 'conversations of 100 members, calibrated on 16-64' });
  });

  it('reports data no line explains instead of rounding it away', () => {
    const fit = fitExact([point({ actions: 1 }, 1), point({ actions: 2 }, 3), point({ actions: 3 }, 3)], ['actions']);
    expect(fit.exact).toBe(false);
    expect(fit.segments[0]!.maxAbsResidual).toBeGreaterThan(0);
    expect(fit.segments[0]!.misses.length).toBeGreaterThan(0);
  });
});

describe('rationals', () => {
  it('normalises signs and reduces', () => {
    expect(format(rational(6, -4))).toBe('-3/2');
    expect(format(parse('10/4'))).toBe('5/2');
    expect(() => parse('1.5')).toThrow(/not a rational/);
    expect(() => rational(1, 0)).toThrow(/division by zero/);
  });
});

describe('floating fits', () => {
  it('non-negative least squares keeps every coefficient >= 0', () => {
    // b = 2*x0 exactly; an unconstrained fit could use x1 < 0 to chase noise
    const x = nnls([[1, 1], [2, 1], [3, 1], [4, 1]], [2, 4.1, 5.9, 8]);
    expect(x.every((value) => value >= 0)).toBe(true);
    expect(x[0]).toBeCloseTo(1.98, 1);
  });

  it('collinear features share the weight instead of blowing up', () => {
    const fit = fitFloat([{ features: { a: 1, b: 2 }, target: 3 }, { features: { a: 2, b: 4 }, target: 6 }], ['a', 'b']);
    expect(fit.rmse).toBeLessThan(1e-9);
    expect(Math.abs(fit.coefficients.a!) + Math.abs(fit.coefficients.b!)).toBeLessThan(10);
  });
});
