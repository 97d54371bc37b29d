// Opens a report in headless Chromium the way a reviewer's browser would, offline, and records
// what happened: requests made, console errors, charts drawn. The browser test and the docs
// screenshot both go through here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHATBENCH_CHROMIUM ?? '/usr/bin/chromium';

// No sandbox (CI containers run as root), nothing phoning home while the page loads.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface PageVisit {
  url: string;
  /** every request the page made, the document itself included */
  requests: string[];
  consoleErrors: string[];
  /** per <figure data-chart>, how many mark elements its SVG holds */
  charts: Array<{ chart: string; marks: number }>;
}

export async function visitReport(file: string, options: { screenshot?: string; width?: number } = {}): Promise<PageVisit> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'chatbench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: options.width ?? 1200, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const url = pathToFileURL(resolve(file)).href;
    const visit: PageVisit = { url, requests: [], consoleErrors: [], charts: [] };
    page.on('request', (request) => visit.requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') visit.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => visit.consoleErrors.push(error.message));
    await page.goto(url, { waitUntil: 'load' });
    visit.charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => ({
        chart: figure.getAttribute('data-chart') ?? '',
        // data marks only (role-mark), not axes or legend symbols, which draw even without data
        marks: figure.querySelectorAll('svg g.role-mark > path').length,
      })),
    );
    if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
    return visit;
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}
