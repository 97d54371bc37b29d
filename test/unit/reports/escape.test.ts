import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../reports/escape.ts';
import { buildReport, renderReport } from '../../../reports/build.ts';
import type { RunReportData } from '../../../reports/types.ts';
import { vacationRun } from '../../support/report-fixtures.ts';

const EVIL = '<script>alert("x")</script>';

/** The fixture with markup in every string a store could hand back. */
async function hostileRun(): Promise<RunReportData> {
  const run = await vacationRun();
  const r = run.results;
  const naive = r.models.naive!;
  return {
    percentiles: { [EVIL]: run.percentiles.naive!, watermark: run.percentiles.watermark! },
    results: {
      ...r,
      runId: `run-${EVIL}`,
      scenario: `vacation-backlog${EVIL}`,
      params: { ...r.params, [`k${EVIL}`]: EVIL },
      driver: EVIL,
      gitSha: EVIL,
      command: `chatbench run ${EVIL}`,
      postgresVersion: EVIL,
      machine: { ...r.machine!, platform: EVIL, cpuModel: EVIL },
      models: {
        [EVIL]: { ...naive, phases: naive.phases!.map((p) => ({ ...p, name: EVIL })), errors: { [EVIL]: 1 }, check: { ...naive.check, examples: [EVIL] } },
        watermark: r.models.watermark!,
      },
    },
  };
}

describe('escaping', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('escapes interpolations but not trusted markup', () => {
    expect(html`<p>${EVIL}${raw('<b>ok</b>')}</p>`.text).toBe(`<p>${escapeHtml(EVIL)}<b>ok</b></p>`);
    expect(html`<p>${[EVIL, html`<i>${'&'}</i>`]}</p>`.text).toBe(`<p>${escapeHtml(EVIL)}<i>&amp;</i></p>`);
    expect(html`${undefined}${null}${false}${0}`.text).toBe('0');
  });

  it('leaves no markup from the store in the built page', async () => {
    const page = buildReport({ runs: [await hostileRun()] });
    expect(page).not.toContain('<script');
    expect(page).toContain(escapeHtml(EVIL));
  });

  it('leaves no markup from the store in the rendered charts either', async () => {
    const page = await renderReport({ runs: [await hostileRun()] });
    expect(page).toContain('<svg');
    expect(page).not.toContain('<script');
  });

  it('forbids scripts and network loads in the page itself', async () => {
    const page = buildReport({ runs: [await vacationRun()] });
    expect(page).toContain(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`);
    expect(page).not.toMatch(/<(script|link|iframe|img)\b/);
  });
});
