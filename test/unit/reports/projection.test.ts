import { describe, expect, it } from 'vitest';
import { formatLarge, project, PROJECTION_ASSUMPTIONS } from '../../../reports/projection.ts';
import { buildReport } from '../../../reports/build.ts';
import { reconnectRun, vacationRun } from '../../support/report-fixtures.ts';

describe('500M daily users projection', () => {
  it('scales measured receipt writes per message by 100B messages a day', async () => {
    const { results } = await vacationRun();
    const naive = project(results).find((f) => f.model === 'naive' && f.label === 'receipt row writes')!;
    // (20 deliver + 20 read rows) / 20 messages sent = 2 per message
    expect(naive.measured).toBe(2);
    expect(naive.perDay).toBe(2 * PROJECTION_ASSUMPTIONS.messagesPerDay);
    expect(naive.perSecondPeak).toBeCloseTo((2e11 / 86_400) * 3);
    const watermark = project(results).find((f) => f.model === 'watermark' && f.label === 'receipt row writes')!;
    expect(watermark.measured).toBe(0.4);
  });

  it('scales per-reconnect figures by the stated reconnect assumption', async () => {
    const { results } = await reconnectRun();
    const events = project(results, { ...PROJECTION_ASSUMPTIONS, reconnectsPerUserPerDay: 2 }).find((f) => f.model === 'naive' && f.label === 'catch-up events pushed')!;
    expect(events.measured).toBe(6);
    expect(events.perDay).toBe(6 * 500e6 * 2);
  });

  it('projects nothing for a run with no messages or reconnects', async () => {
    const { results } = await vacationRun();
    const models = Object.fromEntries(Object.entries(results.models).map(([m, r]) => [m, { ...r, actions: { toggle: r.actions.read! } }]));
    expect(project({ ...results, models })).toEqual([]);
  });

  it('is labelled a projection and states its assumptions', async () => {
    const page = buildReport({ runs: [await vacationRun()] });
    expect(page).toContain('projection, not a measurement');
    expect(page).toContain('500 million daily active users and 100 billion messages a day');
    expect(page).toContain('our assumption, not from the estimate');
  });

  it.each([
    [2e11, '200 billion'],
    [1.5e12, '1.5 trillion'],
    [2_314_815, '2.3 million'],
    [28_935.2, '28,935'],
  ])('formats %s as %s', (value, shown) => {
    expect(formatLarge(value)).toBe(shown);
  });
});
