// The report opened the way a reviewer opens it: a file in a real Chromium, offline. A missing
// Chromium fails the file (scripts/install-test-deps.sh installs it).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, visitReport } from '../../reports/browser.ts';
import { renderReport } from '../../reports/build.ts';
import { planCharts } from '../../reports/render-svg.ts';
import { backlogSweep, reconnectRun, vacationRun } from '../support/report-fixtures.ts';
import { requireTool } from '../support/tools.ts';

requireTool('chromium', existsSync(CHROMIUM_PATH) ? undefined : `no browser at ${CHROMIUM_PATH}`);

describe('report in a headless browser', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('draws every chart, logs no error and requests nothing but the file', async () => {
    expect(existsSync(CHROMIUM_PATH), `Chromium must be installed at ${CHROMIUM_PATH} (see .ci/run)`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'chatbench-report-'));
    const input = { runs: [await vacationRun(), await reconnectRun()], sweep: await backlogSweep() };
    const file = join(dir, 'report.html');
    await writeFile(file, await renderReport(input));

    const visit = await visitReport(file);

    expect(visit.requests).toEqual([visit.url]);
    expect(visit.consoleErrors).toEqual([]);
    const planned = planCharts(input).map((c) => c.chart);
    expect(visit.charts.map((c) => c.chart).sort()).toEqual(planned.sort());
    for (const chart of visit.charts) expect(chart.marks, `${chart.chart} has no marks`).toBeGreaterThan(0);
  });
});
