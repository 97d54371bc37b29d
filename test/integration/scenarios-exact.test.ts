// Every scenario at a small size, every registered model (the test folder's own included),
// through the real driver, server and Postgres: the counts the spec defines exactly are asserted
// exactly, and every model meets the thresholds its scenario derives from the model's traits.
import { describe, expect, inject, it } from 'vitest';
import { evaluateGate } from '../../analysis/gates/evaluate.ts';
import { parseGateFile } from '../../analysis/gates/thresholds.ts';
import type { ActionFigures, ModelResult, RunResults } from '../../analysis/results-schema.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { scenarioThresholds } from '../../scenarios/define.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ALL = Object.keys(MODELS);

async function run(scenario: string, sets: string[], models = ALL): Promise<RunResults> {
  const outcome = await runScenario({
    scenario,
    sets,
    models,
    pgUrl: inject('pgAdminUrl'),
    outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-run-')), 'run'),
    store: false,
  });
  expect(Object.keys(outcome.results.models)).toEqual(models);
  expectDerivedThresholds(outcome.results);
  return outcome.results;
}

/** each model against what the scenario derives from its traits (at the options the run used) */
function expectDerivedThresholds(results: RunResults): void {
  const traits = Object.fromEntries(Object.entries(results.models).map(([id, result]) => [id, MODELS[id]!.traits(result.options ?? {})]));
  const file = parseGateFile(scenarioThresholds(SCENARIOS[results.scenario]!, results.params as Record<string, number>, traits), results.scenario);
  const report = evaluateGate([results], file.thresholds);
  expect(report.outcomes.filter((outcome) => outcome.verdict !== 'pass').map((o) => `${o.model} ${o.metric} ${o.expression}: ${o.reason}`)).toEqual([]);
}

function action(model: ModelResult | undefined, kind: keyof ModelResult['actions']): ActionFigures {
  const figures = model?.actions[kind];
  if (!figures) throw new Error(`no "${kind}" figures`);
  return figures;
}

function expectConsistent(results: RunResults): void {
  for (const [model, result] of Object.entries(results.models)) {
    expect({ model, ticks: result.check.ticks_consistent, examples: result.check.examples }).toEqual({ model, ticks: true, examples: [] });
    expect({ model, db: result.db.consistent, app: result.db.app_rows_written }).toEqual({ model, db: true, app: result.db.tuples_written });
    expect(Object.keys(result.errors).filter((code) => code !== 'server.rate_limited')).toEqual([]);
  }
}

// five models per run: generous timeouts for a loaded 2-core machine
describe('exact counts per scenario', { timeout: 240_000 }, () => {
  it('vacation-backlog: read and deliver cost backlog rows (naive) vs 1 (watermark), and as many events', async () => {
    const pairs = 6;
    const backlog = 15;
    const results = await run('vacation-backlog', [`pairs=${pairs}`, `backlog=${backlog}`]);
    expectConsistent(results);
    const { naive, watermark } = results.models;
    for (const kind of ['deliver', 'read'] as const) {
      expect(action(naive, kind).count).toBe(pairs);
      expect(action(watermark, kind).count).toBe(pairs);
      expect(action(naive, kind)['db.rows_written']).toBe(pairs * backlog);
      expect(action(watermark, kind)['db.rows_written']).toBe(pairs);
      expect(action(naive, kind)['ws.events_pushed']).toBe(pairs * backlog);
      expect(action(watermark, kind)['ws.events_pushed']).toBe(pairs);
    }
    expect(action(naive, 'send').count).toBe(pairs * backlog);
    expect(naive!.latency['latency.receipt']?.count).toBe(pairs);
    expect(naive!.latency['latency.sync']?.count).toBe(pairs);
    expect(naive!.samples?.['latency.ack']).toBe(pairs * backlog);
  });

  it('receipts-toggle: a toggle writes one row per conversation (naive) vs 1, an open looks up 1 vs 0', async () => {
    const users = 4;
    const conversations = 12;
    const opens = 3;
    const results = await run('receipts-toggle', [`users=${users}`, `conversations=${conversations}`, `opens=${opens}`]);
    expectConsistent(results);
    const { naive, watermark } = results.models;
    expect(action(naive, 'toggle')['db.rows_written']).toBe(users * conversations);
    expect(action(watermark, 'toggle')['db.rows_written']).toBe(users);
    expect(action(naive, 'open').count).toBe(users * opens);
    expect(action(naive, 'open')['db.rows_read']).toBe(users * opens);
    expect(watermark!.actions.open?.['db.rows_read'] ?? 0).toBe(0);
    // receipts are off: nothing was read in either model
    expect(naive!.actions.read?.['db.rows_written'] ?? 0).toBe(0);
    expect(watermark!.actions.read?.['db.rows_written'] ?? 0).toBe(0);
  });

  it('mass-reconnect: events per reconnect are conversations x changes (naive) vs conversations', async () => {
    const users = 30;
    const conversations = 3;
    const changes = 4;
    const results = await run('mass-reconnect', [`users=${users}`, `conversations=${conversations}`, `changes=${changes}`, 'window=1']);
    expectConsistent(results);
    const { naive, watermark } = results.models;
    expect(action(naive, 'reconnect').count).toBe(users);
    expect(action(naive, 'reconnect')['ws.events_pushed']).toBe(users * conversations * changes);
    expect(action(watermark, 'reconnect')['ws.events_pushed']).toBe(users * conversations);
    // nothing leaks live into the storm: users were offline while their peers acked
    expect(naive!.actions.read?.['ws.events_pushed'] ?? 0).toBe(0);
    expect(watermark!.actions.deliver?.['ws.events_pushed'] ?? 0).toBe(0);
    expect(naive!.latency['latency.sync']?.count).toBe(users);
  });

  it('mass-reconnect: a live history and an imported one leave the storm exactly the same figures', async () => {
    const sets = ['users=12', 'conversations=2', 'changes=3', 'window=0.5'];
    const [live, imported] = [await run('mass-reconnect', [...sets, 'liveHistory=1']), await run('mass-reconnect', [...sets, 'liveHistory=0'])];
    expectConsistent(live);
    expectConsistent(imported);
    for (const model of ALL) {
      const figures = (results: RunResults) => {
        const { count, ...rest } = action(results.models[model], 'reconnect');
        return { count, ...rest };
      };
      expect(figures(imported)).toEqual(figures(live));
    }
    expect(action(live.models.naive, 'read')['db.rows_written']).toBe(12 * 2 * 3);
  });

  it('group-1000: every member receives every message once; receipt writes per message per model', async () => {
    const members = 40;
    const messages = 10;
    const results = await run('group-1000', [`members=${members}`, `messages=${messages}`, 'rate=20', 'readEvery=5']);
    expectConsistent(results);
    const { naive, watermark } = results.models;
    for (const result of [naive!, watermark!]) {
      expect(result.latency['latency.delivery']?.count).toBe(messages * (members - 1));
      expect(result.errors['client.duplicate_delivery']).toBeUndefined();
    }
    // naive stores a receipt row per recipient at send, then updates it per transition
    expect(action(naive, 'send')['db.rows_written']).toBe(messages * (members + 1));
    expect(action(naive, 'deliver')['db.rows_written']).toBe(messages * (members - 1));
    expect(action(naive, 'read')['db.rows_written']).toBe(messages * (members - 1));
    expect(action(naive, 'read')['ws.events_pushed']).toBe(messages * (members - 1));
    expect(action(watermark, 'send')['db.rows_written']).toBe(messages * 2);
    // one upsert per ack, and every ack moves its mark: the client never acks delivery behind a
    // read it sent (client-state's property test holds that for any arrival order)
    for (const kind of ['deliver', 'read'] as const) {
      const { count, 'db.rows_written': rows } = action(watermark, kind);
      expect({ kind, rows }).toEqual({ kind, rows: count });
    }
    expect(action(naive, 'read_by').count).toBeGreaterThan(0);
  });
});
