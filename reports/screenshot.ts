// Regenerates the README's sample report screenshot from the hand-made fixtures:
//   node --import tsx reports/screenshot.ts [out.png]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visitReport } from './browser.ts';
import { renderReport } from './build.ts';
import { loadRunDir } from './load.ts';

const out = process.argv[2] ?? 'docs/report.png';
const dir = await mkdtemp(join(tmpdir(), 'chatbench-shot-'));
try {
  const file = join(dir, 'report.html');
  await writeFile(file, await renderReport({ runs: [await loadRunDir('test/fixtures/runs/vacation-small')] }));
  const visit = await visitReport(file, { screenshot: out, width: 1100 });
  process.stdout.write(`wrote ${out} (${visit.charts.length} charts)\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
