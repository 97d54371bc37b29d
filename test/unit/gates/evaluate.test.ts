import { describe, expect, it } from 'vitest';
import { evaluateGate, GateInputError, type Outcome } from '../../../analysis/gates/evaluate.ts';
import { OPERATORS, type Operator } from '../../../analysis/gates/expressions.ts';
import { CHECKS, METRIC_KINDS, RUN_FIGURES, parseMetricName, readMetric, type MetricKind } from '../../../analysis/gates/metrics.ts';
import type { ModelResult } from '../../../analysis/results-schema.ts';
import { fixtureRun, model, thresholds } from './fixture.ts';

/** Evaluates one expression of one metric on the given runs and returns its outcome. */
function one(metric: string, expression: string, runs = [fixtureRun()], baseline = [] as ReturnType<typeof fixtureRun>[], name = 'naive'): Outcome {
  const report = evaluateGate(runs, thresholds({ [name]: { [metric]: [expression] } }), baseline);
  expect(report.outcomes).toHaveLength(1);
  return report.outcomes[0]!;
}

describe('evaluateGate: each kind of threshold', () => {
  // The fixture's naive model: receipt p99 9.497 ms; read: 20 rows written over 4 reads.
  it('latency: passes, fails, and is unknown without samples', () => {
    expect(one('latency.receipt', 'p99 < 10')).toMatchObject({ verdict: 'pass', observed: 9.497, limit: 10 });
    expect(one('latency.receipt', 'p50 <= 6.504')).toMatchObject({ verdict: 'pass', observed: 6.504 });
    const failed = one('latency.receipt', 'p99 < 5');
    expect(failed).toMatchObject({ verdict: 'fail', observed: 9.497, limit: 5 });
    expect(failed.reason).toContain('not < 5');
    const noMetric = fixtureRun((r) => delete model(r, 'naive').latency['latency.receipt']);
    expect(one('latency.receipt', 'p99 < 10', [noMetric])).toMatchObject({ verdict: 'unknown', reason: 'no latency.receipt recorded' });
    const noSamples = fixtureRun((r) => (model(r, 'naive').latency['latency.receipt']!.count = 0));
    expect(one('latency.receipt', 'p99 < 10', [noSamples])).toMatchObject({ verdict: 'unknown', reason: 'latency.receipt has no samples' });
  });

  it('per-action figure: divides by the count, passes, fails, and is unknown without the action', () => {
    expect(one('read.rows_written_per_action', '== 5')).toMatchObject({ verdict: 'pass', observed: 5, limit: 5 });
    expect(one('read.db.statements_per_action', '== 6')).toMatchObject({ verdict: 'pass', observed: 6 });
    expect(one('read.rows_written_per_action', '== 1')).toMatchObject({ verdict: 'fail', observed: 5 });
    expect(one('read.rows_written_per_action', '== 1', [fixtureRun()], [], 'watermark')).toMatchObject({ verdict: 'pass' });
    expect(one('toggle.rows_written_per_action', '== 1')).toMatchObject({ verdict: 'unknown', reason: 'no toggle actions in this run' });
    const zero = fixtureRun((r) => (model(r, 'naive').actions.read!.count = 0));
    expect(one('read.rows_written_per_action', '== 5', [zero])).toMatchObject({ verdict: 'unknown', reason: 'read count is 0' });
  });

  it('checks: pass when true, fail when false, unknown when not reported', () => {
    expect(one('check.ticks_consistent', '== true')).toMatchObject({ verdict: 'pass', observed: true });
    const broken = fixtureRun((r) => {
      model(r, 'naive').check.ticks_consistent = false;
      model(r, 'naive').db.consistent = false;
    });
    expect(one('check.ticks_consistent', '== true', [broken])).toMatchObject({ verdict: 'fail', observed: false });
    expect(one('db.consistent', '== true', [broken])).toMatchObject({ verdict: 'fail', observed: false });
    expect(one('db.consistent', '== false', [broken])).toMatchObject({ verdict: 'pass' });
    // A foreign or older results document may lack the check; the evaluator must not call it passed.
    const missing = fixtureRun((r) => delete (model(r, 'naive') as Partial<ModelResult>).check);
    expect(one('check.ticks_consistent', '== true', [missing])).toMatchObject({ verdict: 'unknown', reason: 'check.ticks_consistent not reported' });
  });

  it('a model missing from the run is unknown, naming the models present', () => {
    expect(one('db.consistent', '== true', [fixtureRun()], [], 'redis-buffer')).toMatchObject({
      verdict: 'unknown',
      reason: 'model "redis-buffer" not in run fixture-vacation-small (has naive, watermark)',
    });
  });

  it('unknown fails the gate; only all-pass passes', () => {
    const spec = { naive: { 'db.consistent': ['== true'], 'read.rows_written_per_action': ['== 5'] } };
    expect(evaluateGate([fixtureRun()], thresholds(spec)).passed).toBe(true);
    const withUnknown = evaluateGate([fixtureRun()], thresholds({ ...spec, watermark: { 'toggle.rows_written_per_action': ['== 1'] } }));
    expect(withUnknown).toMatchObject({ passed: false, counts: { pass: 2, fail: 0, unknown: 1 } });
    const withFail = evaluateGate([fixtureRun()], thresholds({ naive: { 'read.rows_written_per_action': ['== 1'] } }));
    expect(withFail).toMatchObject({ passed: false, counts: { pass: 0, fail: 1, unknown: 0 } });
  });
});

describe('evaluateGate: several runs of one workload', () => {
  const withP99 = (id: string, p99: number) =>
    fixtureRun((r) => {
      r.runId = id;
      model(r, 'naive').latency['latency.receipt']!.p99 = p99;
    });

  it('uses the median across runs of each quantile', () => {
    const runs = [withP99('a', 1), withP99('b', 100), withP99('c', 5)];
    expect(one('latency.receipt', 'p99 < 6', runs)).toMatchObject({ verdict: 'pass', observed: 5 });
    expect(one('latency.receipt', 'p99 < 6', runs.slice(0, 2))).toMatchObject({ verdict: 'fail', observed: 50.5 });
  });

  it('passes counts that agree and fails counts that differ between runs', () => {
    const a = fixtureRun((r) => (r.runId = 'a'));
    const b = fixtureRun((r) => (r.runId = 'b'));
    expect(one('read.rows_written_per_action', '== 5', [a, b])).toMatchObject({ verdict: 'pass', observed: 5 });
    model(b, 'naive').actions.read!['db.rows_written'] = 24;
    const outcome = one('read.rows_written_per_action', '== 5', [a, b]);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.reason).toBe('counts differ between runs (a: 5, b: 6)');
  });

  it('fails a check that differs between runs', () => {
    const b = fixtureRun((r) => {
      r.runId = 'b';
      model(r, 'naive').check.ticks_consistent = false;
    });
    expect(one('check.ticks_consistent', '== true', [fixtureRun(), b]).reason).toContain('check results differ between runs');
  });

  it('refuses runs of different workloads', () => {
    const other = fixtureRun((r) => {
      r.runId = 'other';
      r.params.backlog = 50;
    });
    expect(() => one('db.consistent', '== true', [fixtureRun(), other])).toThrow(GateInputError);
    expect(() => one('db.consistent', '== true', [fixtureRun(), other])).toThrow('params differ: backlog=50 vs 5');
    const scenario = fixtureRun((r) => (r.scenario = 'mass-reconnect'));
    expect(() => one('db.consistent', '== true', [fixtureRun(), scenario])).toThrow('scenario mass-reconnect vs vacation-backlog');
    expect(() => evaluateGate([], thresholds({ naive: { 'db.consistent': ['== true'] } }))).toThrow('no runs to gate');
  });
});

describe('evaluateGate: baselines', () => {
  const base = fixtureRun((r) => {
    r.runId = 'base';
    r.gitSha = 'b'.repeat(40);
  });
  const slower = (factor: number) =>
    fixtureRun((r) => {
      const receipt = model(r, 'naive').latency['latency.receipt']!;
      receipt.p99 = receipt.p99 * factor;
    });

  it('detects a latency regression of 20% against baseline * 1.10, and lets 5% through', () => {
    const regressed = one('latency.receipt', 'p99 < baseline * 1.10', [slower(1.2)], [base]);
    expect(regressed.verdict).toBe('fail');
    expect(regressed.baseline).toBe(9.497);
    expect(regressed.limit).toBeCloseTo(9.497 * 1.1, 9);
    expect(regressed.reason).toContain('baseline * 1.1, baseline 9.497');
    expect(one('latency.receipt', 'p99 < baseline * 1.10', [slower(1.05)], [base]).verdict).toBe('pass');
    expect(one('latency.receipt', 'p99 <= baseline + 1', [slower(1.05)], [base]).verdict).toBe('pass');
    expect(one('latency.receipt', 'p99 >= baseline - 1', [slower(0.5)], [base]).verdict).toBe('fail');
  });

  it('compares exact counts exactly: one extra row written is a regression', () => {
    expect(one('read.rows_written_per_action', '== baseline', [fixtureRun()], [base])).toMatchObject({ verdict: 'pass', limit: 5 });
    const more = fixtureRun((r) => (model(r, 'naive').actions.read!['db.rows_written'] = 21));
    expect(one('read.rows_written_per_action', '== baseline', [more], [base])).toMatchObject({ verdict: 'fail', observed: 5.25, limit: 5 });
  });

  it('a baseline expression without a baseline run is unknown, as is a metric the baseline lacks', () => {
    expect(one('latency.receipt', 'p99 < baseline * 1.1')).toMatchObject({ verdict: 'unknown', observed: 9.497 });
    expect(one('latency.receipt', 'p99 < baseline * 1.1').reason).toContain('needs a baseline run');
    const bare = fixtureRun((r) => delete model(r, 'naive').latency['latency.receipt']);
    expect(one('latency.receipt', 'p99 < baseline', [fixtureRun()], [bare])).toMatchObject({
      verdict: 'unknown',
      reason: 'baseline: no latency.receipt recorded',
    });
  });

  it('refuses a baseline of another workload', () => {
    const other = fixtureRun((r) => (r.params.pairs = 400));
    expect(() => one('latency.receipt', 'p99 < baseline', [fixtureRun()], [other])).toThrow(GateInputError);
  });
});

describe('registries', () => {
  // One metric name per kind, read from the fixture and from an empty model.
  const SAMPLE: Record<MetricKind, string> = {
    latency: 'latency.delivery',
    perAction: 'deliver.bytes_pushed_per_action',
    check: 'db.consistent',
    figure: 'receipts.rows_per_ack',
  };
  const empty = { actions: {}, latency: {}, db: undefined, errors: {}, check: undefined } as unknown as ModelResult;

  it.each(Object.keys(METRIC_KINDS) as MetricKind[])('metric kind %s parses, reads a value, and reports a missing one', (kind) => {
    const ref = parseMetricName(SAMPLE[kind]);
    expect(ref.kind).toBe(kind);
    expect(readMetric(model(fixtureRun(), 'naive'), ref, 'p95')).toMatchObject({ ok: true });
    expect(readMetric(empty, ref, 'p95')).toMatchObject({ ok: false });
  });

  it.each(Object.keys(CHECKS))('check %s is a metric name the gate accepts', (name) => {
    expect(parseMetricName(name)).toMatchObject({ kind: 'check' });
  });

  it.each(Object.keys(RUN_FIGURES))('run figure %s is a metric name the gate accepts, compared as a number', (name) => {
    expect(parseMetricName(name)).toMatchObject({ kind: 'figure' });
  });

  it('reads acknowledged receipts lost, passes 0 and fails a loss, and takes the worst of several runs', () => {
    const lost = (n: number) => fixtureRun((r) => (model(r, 'watermark').check.acked_receipts_lost = n));
    expect(one('check.acked_receipts_lost', '== 0', [lost(0)], [], 'watermark')).toMatchObject({ verdict: 'pass', observed: 0 });
    expect(one('check.acked_receipts_lost', '== 0', [lost(3)], [], 'watermark')).toMatchObject({ verdict: 'fail', observed: 3 });
    expect(one('check.acked_receipts_lost', '<= 2', [lost(1), lost(3), lost(0)], [], 'watermark')).toMatchObject({ verdict: 'fail', observed: 3 });
    expect(one('check.acked_receipts_lost', '== 0', [fixtureRun()], [], 'watermark')).toMatchObject({ verdict: 'unknown', reason: 'check.acked_receipts_lost not reported' });
    expect(one('receipts.rows_per_ack', '== 5')).toMatchObject({ verdict: 'pass', observed: 5 });
    expect(() => one('check.acked_receipts_lost', '== true')).toThrow(/expected <op> <number>/);
  });

  // For each operator: a limit it accepts and one it rejects, against an observed 5.
  const CASES: Record<Operator, [pass: number, fail: number]> = {
    '<': [6, 5],
    '<=': [5, 4],
    '>': [4, 5],
    '>=': [5, 6],
    '==': [5, 5.001],
  };
  it.each(Object.keys(OPERATORS) as Operator[])('operator %s passes and fails as written', (op) => {
    const [pass, fail] = CASES[op];
    expect(one('read.rows_written_per_action', `${op} ${pass}`).verdict).toBe('pass');
    expect(one('read.rows_written_per_action', `${op} ${fail}`).verdict).toBe('fail');
  });
});
