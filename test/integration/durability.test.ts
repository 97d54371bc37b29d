// Acknowledged receipts lost when a node dies: two nodes on Redis, recipients coming back over a
// few seconds, reading and leaving at once, and the busiest node SIGKILLed half-way. The senders
// were pushed every read (they show blue ticks); what Postgres holds afterwards is compared with
// that. Write-through models lose nothing. write-behind (a flush window longer than the run, so
// the window is everything acked since the phase began) loses what its killed node still held for
// readers who had already left, never more than the node's pending window at the instant it died.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResults } from '../../analysis/results-schema.ts';
import { renderRun } from '../../cli/render-run.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { redisAvailable, testRedis, type TestRedis } from '../support/redis.ts';

const PAIRS = 12;
const BACKLOG = 4;
let redis: TestRedis;

describe.skipIf(!redisAvailable)('acknowledged receipts lost under a killed node', () => {
  beforeAll(async () => {
    redis = await testRedis();
  });

  it('is 0 for write-through models and measured, bounded by the killed node\'s window, for write-behind', { timeout: 400_000 }, async () => {
    const outcome = await runScenario({
      scenario: 'vacation-backlog',
      // recipients return over 6 s and leave once they have read; the kill lands 3 s in, when
      // about half have read and gone (seeded times, margins of a second or more either side)
      sets: [`pairs=${PAIRS}`, `backlog=${BACKLOG}`, 'returnWindow=6', 'leave=1'],
      models: ['naive', 'watermark', 'write-behind', 'hybrid'],
      modelOpts: ['write-behind.flushMs=120000'],
      nodes: 2,
      redisUrl: redis.url,
      killNodeAt: '3:3',
      pgUrl: inject('pgAdminUrl'),
      outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-durability-')), 'run'),
      store: false,
    });
    const results: RunResults = outcome.results;
    const messages = PAIRS * BACKLOG;
    for (const [id, result] of Object.entries(results.models)) {
      expect(result.recovery?.killed_node, id).toMatch(/^node-[12]$/);
      // every message was compared with what Postgres holds, not a sample
      expect(result.check.acked_receipts_checked, id).toBe(messages);
      // the senders hold the plan's ticks, and nothing else is wrong with the stored state
      expect({ id, ticks: result.check.ticks_consistent, examples: result.check.examples }).toEqual({ id, ticks: true, examples: [] });
    }
    for (const id of ['naive', 'watermark', 'hybrid']) {
      expect(results.models[id]!.check.acked_receipts_lost, id).toBe(0);
    }
    const behind = results.models['write-behind']!;
    const lost = behind.check.acked_receipts_lost!;
    const window = behind.recovery!.pending_at_kill!;
    expect(behind.options).toEqual({ flushMs: 120_000 });
    // readers who had read and left the killed node before it died: their receipts went with it
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThanOrEqual(window.receipts);
    // whole backlogs: a reader's one read covers all of its pair's messages
    expect(lost % BACKLOG).toBe(0);
    expect(window.marks).toBeGreaterThan(0);
    // the table says so, per model
    const table = renderRun(results);
    expect(table).toMatch(new RegExp(`write-behind: .*options flushMs=120000`));
    expect(table).toContain(`acknowledged receipts lost ${lost} (of ${messages} checked); it held ${window.receipts} receipts in ${window.marks} marks not yet in Postgres`);
    expect(table).toContain(`acknowledged receipts lost 0 (of ${messages} checked)`);
  });
});
