// The CI-sized protocol fuzz (test/fuzz/protocol-fuzz.ts; `npm run fuzz` throws 100,000+ frames):
// random and mutated frames from several hostile connections interleaved with honest clients.
import { describe, expect, it } from 'vitest';
import { mintToken } from '../../reference-server/auth.ts';
import { FUZZ_SERVER_LIMITS, formatFuzzReport, fuzzPopulation, fuzzServer } from '../fuzz/protocol-fuzz.ts';
import { SECRET, startTestServer } from '../support/server.ts';

const FUZZERS = 4;

describe('protocol fuzz', () => {
  it('survives random and mutated frames: documented codes only, nothing acked lost, no internal errors', async () => {
    const run = await startTestServer('naive', fuzzPopulation(FUZZERS), FUZZ_SERVER_LIMITS);
    const seed = Number(process.env.CHATBENCH_FUZZ_SEED ?? 14);
    const report = await fuzzServer(
      { url: run.server.url, token: (userId) => mintToken(SECRET, userId), pool: run.database.pool, drain: () => run.server.drain() },
      { frames: 40_000, fuzzers: FUZZERS, seed },
    );
    console.log(`seed ${seed}\n${formatFuzzReport(report)}`);
    expect(report.undocumented).toEqual([]);
    expect(report.ackedLost).toEqual([]);
    expect(report.errorsByCode.internal ?? 0).toBe(0);
    expect(run.server.metrics().errors.internal ?? 0).toBe(0);
    // the fuzz reached the handlers: valid sends were stored and acked, bad ones refused
    expect(report.acked).toBeGreaterThan(100);
    expect(report.errorsByCode.invalid_frame).toBeGreaterThan(100);
  }, 60_000);
});
