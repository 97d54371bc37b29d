import { describe, expect, it } from 'vitest';
import { buildReport, renderReport } from '../../../reports/build.ts';
import { runLabels } from '../../../reports/compare.ts';
import { consistencyOf } from '../../../reports/headline.ts';
import { planCharts } from '../../../reports/render-svg.ts';
import { sentencesFor } from '../../../reports/sentences.ts';
import { formatDelta, formatRatio, perAction, ratio } from '../../../reports/figures.ts';
import { loadRunDir } from '../../../reports/load.ts';
import { backlogSweep, reconnectRun, vacationRun } from '../../support/report-fixtures.ts';

const text = (page: string) => page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('headline', () => {
  it('says what the vacation backlog costs in a sentence, from the measured figures', async () => {
    const { results } = await vacationRun();
    const sentences = sentencesFor(results);
    expect(sentences[0]).toBe('Opening a chat with a 5-message backlog costs naive 5 row writes and watermark 1 (naive/watermark 5×).');
    expect(sentences.join(' ')).toContain('live messages to an online client are acknowledged one by one');
  });

  it('explains group-1000 delivery as alike and points at reads', async () => {
    const { results } = await vacationRun();
    const group = { ...results, scenario: 'group-1000', params: { members: 1000, readEvery: 5 } };
    const all = sentencesFor(group).join(' ');
    expect(all).toContain('In a group of 1000');
    expect(all).toContain('delivery costs are alike here and the difference is in reads');
  });

  it('falls back to a generic sentence for an unknown scenario, and says when there is nothing to compare', async () => {
    const { results } = await vacationRun();
    expect(sentencesFor({ ...results, scenario: 'new-one' })[0]).toBe('A deliver action costs naive 5 row writes and watermark 1 (naive/watermark 5×).');
    const { watermark: _dropped, ...onlyNaive } = results.models;
    expect(sentencesFor({ ...results, models: onlyNaive })[0]).toBe('This run measured only naive: there is no other model to compare it with.');
  });

  it('compares any number of models against the baseline, in sentences and in the table', async () => {
    const run = await vacationRun();
    const { naive, watermark } = run.results.models;
    // a third model shaped like naive, and the baseline moved to watermark
    const results = { ...run.results, baseline: 'watermark', models: { naive: naive!, watermark: watermark!, third: naive! } };
    expect(sentencesFor(results)[0]).toBe(
      'Opening a chat with a 5-message backlog costs watermark 1 row writes, naive 5 and third 5 (watermark/naive 0.2×, watermark/third 0.2×).',
    );
    const page = text(buildReport({ runs: [{ ...run, results }] }));
    expect(page).toContain('watermark (baseline) naive third watermark / naive watermark / third');
    expect(page).toContain('read 1 5 5 0.2× 0.2× 1 5 5 0.2× 0.2×');
    expect(page).toContain('rows per ack watermark 1, naive 5, third 5');
  });

  it('says what each model lost when a node was killed, and what its node still held', async () => {
    const run = await vacationRun();
    const { naive, watermark } = run.results.models;
    const killed = { killed_node: 'node-1', pending_at_kill: { marks: 0, receipts: 0 } };
    const models = {
      naive: { ...naive!, check: { ...naive!.check, acked_receipts_lost: 0, acked_receipts_checked: 20 }, recovery: killed },
      watermark: { ...watermark!, options: { flushMs: 1000 }, check: { ...watermark!.check, acked_receipts_lost: 4, acked_receipts_checked: 20 }, recovery: { ...killed, pending_at_kill: { marks: 2, receipts: 6 } } },
    };
    const results = { ...run.results, models };
    expect(sentencesFor(results).at(-1)).toBe(
      'A server node was killed mid-run. Acknowledged receipts lost (the sender was shown the tick, Postgres does not have it): naive 0 and watermark 4 (its killed node held 6 not yet in Postgres; flushMs 1000).',
    );
    expect(text(buildReport({ runs: [{ ...run, results }] }))).toContain('Node node-1 was killed: 4 acknowledged receipts lost (of 20 messages checked); it held 6 receipts in 2 marks not yet in Postgres.');
  });

  it('flags an inconsistent run loudly', async () => {
    const run = await vacationRun();
    const naive = run.results.models.naive!;
    const bad = { ...naive, db: { ...naive.db, consistent: false, tuples_written: 90 }, check: { ticks_consistent: false, messages_checked: 20, mismatches: 3 } };
    expect(consistencyOf(bad).problems).toEqual([
      'derived ticks disagree with the plan (3 of 20 messages)',
      "app-side rows written (96) disagree with the database's own count (90)",
    ]);
    const page = buildReport({ runs: [{ ...run, results: { ...run.results, models: { ...run.results.models, naive: bad } } }] });
    expect(text(page)).toContain('naive : INCONSISTENT');
    expect(text(page)).toContain('watermark : consistent');
  });

  it('shows ratios and exact p99 from raw samples', async () => {
    const page = text(buildReport({ runs: [await vacationRun()] }));
    expect(page).toContain('read 5 1 5× 5 1 5×');
    expect(page).toContain('latency.sync 27.51 5.26');
    expect(page).toContain('Exact p99 over the raw samples');
  });
});

describe('figures', () => {
  it('divides totals by count and refuses to invent missing figures', async () => {
    const { results } = await vacationRun();
    expect(perAction(results, 'naive', 'read', 'db.rows_written')).toBe(5);
    expect(perAction(results, 'naive', 'toggle', 'db.rows_written')).toBeUndefined();
    expect(perAction(results, 'nobody', 'read', 'db.rows_written')).toBeUndefined();
  });

  it.each([
    [10, 2, '5×'],
    [3, 0, 'naive only'],
    [0, 0, 'both 0'],
    [undefined, 1, 'n/a'],
  ])('ratio(%s, %s) against baseline naive reads %s', (a, b, shown) => {
    expect(formatRatio(ratio(a, b), 'naive')).toBe(shown);
  });

  it.each([
    [100, 112.5, '+12.5%'],
    [100, 50, '-50%'],
    [5, 5, '±0%'],
    [0, 3, 'new'],
    [undefined, 3, 'n/a'],
  ])('delta from %s to %s reads %s', (base, value, shown) => {
    expect(formatDelta(base, value)).toBe(shown);
  });
});

describe('comparing runs', () => {
  it('labels runs by what differs and shows deltas against the first', async () => {
    const a = await vacationRun();
    const b = await vacationRun();
    b.results = { ...b.results, runId: 'second', gitSha: 'abcdef0123456789' };
    expect(runLabels([a.results, b.results])).toEqual(['@00000000', '@abcdef01']);
    const page = text(buildReport({ runs: [a, b] }));
    expect(page).toContain('Runs compared');
    expect(page).toContain('naive · read · rows written per action 5 5 ±0%');
  });

  it('labels by the varied parameter for two parameter sets', async () => {
    const [s5, s20] = await Promise.all([5, 20].map(async (b) => (await loadRunDir(`test/fixtures/sweeps/backlog/${b}`)).results));
    expect(runLabels([s5!, s20!])).toEqual(['backlog=5', 'backlog=20']);
    const page = text(buildReport({ runs: [{ results: s5!, percentiles: {} }, { results: s20!, percentiles: {} }] }));
    expect(page).toContain('naive · read · rows written per action 5 20 +300%');
  });

  it('has no comparison for a single run', async () => {
    expect(buildReport({ runs: [await vacationRun()] })).not.toContain('Runs compared');
  });
});

describe('builder', () => {
  it('refuses an input without runs', () => {
    expect(() => buildReport({ runs: [] })).toThrow('at least one run');
  });

  it('is deterministic', async () => {
    const input = { runs: [await vacationRun()], generatedAt: '2026-01-01T00:00:00Z' };
    expect(buildReport(input)).toBe(buildReport(input));
  });

  it('gives the context and the exact command to reproduce', async () => {
    const page = text(buildReport({ runs: [await vacationRun()] }));
    expect(page).toContain('chatbench run vacation-backlog --set pairs=4 --set backlog=5 --seed 1');
    expect(page).toContain('2 cores, 24 GiB memory, linux x64');
    expect(page).toContain('PostgreSQL 18.4');
  });

  it('plans every run chart per run and the sweep chart once', async () => {
    const planned = planCharts({ runs: [await vacationRun(), await reconnectRun()], sweep: await backlogSweep() });
    expect(planned.map((c) => `${c.runId ?? 'sweep'}:${c.chart}`)).toEqual([
      'fixture-vacation-small:rows-written',
      'fixture-vacation-small:events-pushed',
      'fixture-vacation-small:latency-percentiles',
      'fixture-vacation-small:wal-phases',
      'fixture-mass-reconnect-small:rows-written',
      'fixture-mass-reconnect-small:events-pushed',
      'fixture-mass-reconnect-small:latency-percentiles',
      'fixture-mass-reconnect-small:reconnect-timeline',
      'fixture-mass-reconnect-small:wal-phases',
      'sweep:sweep-cost',
    ]);
  });

  it('renders every planned chart into the page as inline SVG', async () => {
    const page = await renderReport({ runs: [await vacationRun()], sweep: await backlogSweep() });
    expect(page.match(/<figure class="chart"[^>]*><svg/g)).toHaveLength(5);
    expect(text(page)).toContain('Sweep of backlog');
  });
});

describe('At 500M daily users (simulated)', () => {
  it('replaces the linear projection: inputs measured and assumed, per-model figures, servers, nodes, the tornado, the validation error', async () => {
    const { fixtureSimulation } = await import('../../support/simulation-fixtures.ts');
    const simulation = fixtureSimulation({ validation: true });
    const page = await renderReport({ runs: [await vacationRun()], simulation });
    const words = text(page);
    expect(words).not.toContain('projection, not a measurement');
    expect(words).toContain('At 500M daily users (simulated)');
    expect(words).toContain('Measured measured : each model');
    expect(words).toContain('Assumed assumed : the traffic');
    expect(words).toContain("The design's table assumed");
    expect(words).toContain('3.47 million messages/s');
    expect(words).toContain('Per model simulated: measured costs × assumed traffic');
    expect(words).toContain('chat servers by connections assumed by CPU measured database nodes');
    expect(words).toContain('How wrong it can be measured');
    expect(words).toContain('The simulator is off by more than its tolerance here');
    expect(page).toContain('data-chart="sensitivity"');
    expect(words).toContain('500M daily active users');
  });

  it('reports a simulation on its own, and says when a run report has none', async () => {
    const { fixtureSimulation } = await import('../../support/simulation-fixtures.ts');
    const alone = buildReport({ runs: [], simulation: fixtureSimulation() });
    expect(text(alone)).toContain('simulated from costs measured per action: whatsapp-500m');
    expect(text(alone)).toContain('Not validated');
    const without = text(buildReport({ runs: [await vacationRun()], simulationMissing: 'No calibration here.' }));
    expect(without).toContain('At 500M daily users simulated No calibration here.');
    expect(() => buildReport({ runs: [] })).toThrow('a report needs at least one run or a simulation');
  });
});
