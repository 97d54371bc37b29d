// Acknowledged receipts lost when a node dies: two nodes on Redis, recipients coming back at
// seeded times over twelve seconds, reading and leaving at once, and the busiest node SIGKILLed in
// the quietest stretch between two returns, once recipients of both nodes have read and left. The
// senders were pushed every read (they show blue ticks); what Postgres holds afterwards is
// compared with that. Write-through models lose nothing. write-behind (a flush window longer than
// the run, so the window is everything acked since the phase began) loses what its killed node
// still held for readers who had already left, never more than the node's pending window at the
// instant it died. The kill avoids acks in flight: a status a node commits and dies before routing
// reaches its sender only at the sender's next sync, which this scenario's senders never do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunResults } from '../../analysis/results-schema.ts';
import { renderRun } from '../../cli/render-run.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { resolveParams } from '../../scenarios/define.ts';
import { placeClients } from '../../scenarios/placement.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const PAIRS = 6;
const BACKLOG = 4;
const SETS = [`pairs=${PAIRS}`, `backlog=${BACKLOG}`, 'returnWindow=12', 'leave=1'];
let redis: TestRedis;

/** the middle of the longest gap between returns after which both nodes' recipients have come and gone */
function quietKillTime(): { phase: number; seconds: number; gap: number; before: number } {
  const definition = SCENARIOS['vacation-backlog']!;
  const plan = definition.plan(resolveParams(definition, SETS) as never, 1);
  const placement = placeClients(plan, 2);
  const returnPhase = plan.phases.findIndex((phase) => phase.name === 'recipients return and read');
  const returns = plan.phases[returnPhase]!.scripts
    .flatMap((script) => (script.steps[0]!.op === 'connect' && script.steps.some((step) => step.op === 'open') ? [{ at: script.steps[0]!.at!, node: placement.get(script.userId)! }] : []))
    .sort((a, b) => a.at - b.at);
  let best = { seconds: 0, gap: 0, before: 0 };
  for (let i = 1; i < returns.length; i++) {
    const gap = returns[i]!.at - returns[i - 1]!.at;
    const nodes = new Set(returns.slice(0, i).map((entry) => entry.node));
    if (nodes.size === 2 && gap > best.gap) best = { seconds: (returns[i - 1]!.at + gap / 2) / 1000, gap, before: i };
  }
  return { phase: returnPhase + 1, ...best };
}

describe('acknowledged receipts lost under a killed node', () => {
  beforeAll(async () => {
    redis = await testRedis();
  });

  it('is 0 for write-through models and measured, bounded by the killed node\'s window, for write-behind', { timeout: 400_000 }, async () => {
    const kill = quietKillTime();
    // seeded: 4 of 6 recipients have come and gone, then nobody for 4 s; the kill lands in the middle
    expect(kill.gap).toBeGreaterThan(3000);
    expect(kill.before).toBe(4);
    const outcome = await runScenario({
      scenario: 'vacation-backlog',
      sets: SETS,
      models: ['naive', 'watermark', 'write-behind', 'hybrid'],
      modelOpts: ['write-behind.flushMs=120000'],
      nodes: 2,
      redisUrl: redis.url,
      killNodeAt: `${kill.phase}:${kill.seconds.toFixed(2)}`,
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
    // whole backlogs: a reader's one read covers all of its pair's messages; at most the two
    // recipients of the killed node that had read and left (the placement gives each node two of
    // the four) lose theirs
    expect(lost % BACKLOG).toBe(0);
    expect(lost).toBeLessThanOrEqual(2 * BACKLOG);
    expect(window.marks).toBeGreaterThan(0);
    // the table says so, per model
    const table = renderRun(results);
    expect(table).toMatch(new RegExp(`write-behind: .*options flushMs=120000`));
    expect(table).toContain(`acknowledged receipts lost ${lost} (of ${messages} checked); it held ${window.receipts} receipts in ${window.marks} marks not yet in Postgres`);
    expect(table).toContain(`acknowledged receipts lost 0 (of ${messages} checked)`);
  });
});
