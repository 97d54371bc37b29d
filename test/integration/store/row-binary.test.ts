// Samples written as RowBinary into chDB read back exactly: strings of any length and bytes
// (the length prefix crosses 127 and 16,383), and floats bit for bit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openChdbEngine } from '../../../analysis/store/chdb-engine.ts';
import { RowBinaryWriter, SAMPLE_STRUCTURE } from '../../../analysis/store/row-binary.ts';

const dir = mkdtempSync(join(tmpdir(), 'chatbench-rowbinary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RowBinary samples into chDB', () => {
  it('round-trips every column exactly', async () => {
    const engine = await openChdbEngine(join(dir, 'store'));
    try {
      await engine.exec(`CREATE TABLE rb (${SAMPLE_STRUCTURE}) ENGINE = MergeTree() ORDER BY run_id`);
      const tags = ['{}', '{"node":"node-1","tab":"a\\tb\\nc"}', `{"long":"${'é'.repeat(100)}"}`, `{"longer":"${'x'.repeat(20_000)}"}`];
      const samples = tags.map((tag, index) => ({ model: index % 2 ? 'naive' : 'wätermark', metric: 'latency.ack', t_ms: index * 0.013 + 1e-9, value_ms: Math.PI * index, tags: tag }));
      const writer = new RowBinaryWriter(16);
      for (const sample of samples) writer.addSample('run-ü', sample);
      const { payload, rows } = writer.take();
      expect(rows).toBe(4);
      await engine.insertRowBinary!('rb', SAMPLE_STRUCTURE, payload);
      const stored = await engine.select<{ run_id: string; model: string; metric: string; t_ms: number; value_ms: number; tags: string }>(
        'SELECT run_id, model, metric, t_ms, value_ms, tags FROM rb ORDER BY t_ms',
      );
      expect(stored).toEqual(samples.map((sample) => ({ run_id: 'run-ü', ...sample })));
    } finally {
      await engine.close();
    }
  });
});
