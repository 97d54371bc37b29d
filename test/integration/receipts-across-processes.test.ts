// Receipt latency when reader and sender sit in different load-generator processes: the Node
// driver with two clients per worker puts every vacation-backlog recipient in one worker and
// every sender in the other, so each receipt is known only by matching both workers' logs.
import { describe, expect, inject, it } from 'vitest';
import { createNodeDriver } from '../../drivers/node/driver.ts';
import { runModel } from '../../drivers/orchestrator.ts';
import type { DriverOutcome, LoadDriver } from '../../drivers/types.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const params = { pairs: 2, backlog: 5, sendRate: 2000 };
const plan = SCENARIOS['vacation-backlog']!.plan(params as never, 1);

function capturing(inner: LoadDriver, change?: (outcome: DriverOutcome) => void): { driver: LoadDriver; outcome: () => DriverOutcome } {
  let captured: DriverOutcome | undefined;
  return {
    driver: {
      ...inner,
      async execute(context, prepared) {
        captured = await inner.execute(context, prepared);
        change?.(captured);
        return captured;
      },
    },
    outcome: () => captured!,
  };
}

describe('receipt latency across worker processes', () => {
  it('a pair split across two Node workers: one receipt per pair, timed from the read, none missing', async () => {
    const { driver, outcome } = capturing(createNodeDriver({ clientsPerWorker: 2 }));
    const started = Date.now();
    const { result } = await runModel({ model: MODELS.naive!, plan, driver, pgAdminUrl: inject('pgAdminUrl'), nodes: 1, secret: 'split-pair-secret' });
    const wall = Date.now() - started;
    expect({ ticks: result.check.ticks_consistent, examples: result.check.examples }).toEqual({ ticks: true, examples: [] });
    expect(outcome().generator.processes).toBe(2);
    // two workers' parts and the matched receipts' part
    expect(outcome().latency).toHaveLength(3);
    const receipts = outcome().latency[2]!.samples;
    expect(receipts.map((sample) => sample.metric)).toEqual(['latency.receipt', 'latency.receipt']);
    for (const sample of receipts) {
      expect(sample.value_ms).toBeGreaterThan(0);
      expect(sample.value_ms).toBeLessThan(wall);
    }
    // neither worker's own samples hold a receipt: only matching both logs could time them
    for (const part of outcome().latency.slice(0, 2)) expect(part.samples.filter((sample) => sample.metric === 'latency.receipt')).toEqual([]);
    expect(result.latency['latency.receipt']).toMatchObject({ count: params.pairs, missing: 0 });
    expect(result.samples?.['latency.receipt']).toBe(params.pairs);
  });

  it('a receipt that never arrived is counted and fails the tick check', async () => {
    const { driver } = capturing(createNodeDriver(), (outcome) => {
      outcome.receipts = { missing: 1, examples: ["receipt never arrived: user 1 did not see user 2's read of conversation 1 through seq 5"] };
    });
    const { result } = await runModel({ model: MODELS.watermark!, plan, driver, pgAdminUrl: inject('pgAdminUrl'), nodes: 1, secret: 'missing-receipt-secret' });
    expect(result.latency['latency.receipt']?.missing).toBe(1);
    expect(result.check.ticks_consistent).toBe(false);
    expect(result.check.examples).toEqual([
      "1 receipts never arrived (latency.receipt.missing), e.g. receipt never arrived: user 1 did not see user 2's read of conversation 1 through seq 5",
    ]);
  });
});
