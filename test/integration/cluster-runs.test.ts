// Whole runs on two reference-server nodes sharing a real Redis: the exact counts of the
// single-node runs hold with every 1:1 chat split across the nodes, and a node SIGKILLed in the
// middle of the reconnect storm loses no acknowledged message and no receipt.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActionFigures, ModelResult, RunResults } from '../../analysis/results-schema.ts';
import { CliError, UsageError } from '../../cli/exit-codes.ts';
import { runScenario, validateRunOptions, type RunOptions } from '../../cli/run-scenario.ts';
import type { PresenceReport, RecoveryReport } from '../../reference-server/cluster/fault.ts';
import { freePort } from '../../reference-server/cluster/redis-server.ts';
import { locateK6 } from '../../drivers/k6/binary.ts';
import { ORCHESTRATOR_DEFAULTS } from '../../drivers/orchestrator.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';

type ClusterResult = ModelResult & {
  recovery?: RecoveryReport & { sessions_cleaned_after_ms: number | null; rows_unaccounted: number };
  cluster?: Record<string, number>;
  presence?: PresenceReport;
};

let redis: TestRedis;

// the failover is the shared client's, so both drivers are held to it (a missing k6 fails the file)
const k6 = await locateK6();
requireTool('k6', 'missing' in k6 ? k6.missing : undefined);
const drivers = ['node', 'k6'];

async function run(scenario: string, sets: string[], extra: Partial<RunOptions> = {}): Promise<RunResults> {
  const outcome = await runScenario({
    scenario,
    sets,
    nodes: 2,
    redisUrl: redis.url,
    pgUrl: inject('pgAdminUrl'),
    outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-cluster-')), 'run'),
    store: false,
    ...extra,
  });
  return outcome.results;
}

function model(results: RunResults, id: string): ClusterResult {
  return results.models[id] as ClusterResult;
}

function action(result: ModelResult, kind: keyof ModelResult['actions']): ActionFigures {
  const figures = result.actions[kind];
  if (!figures) throw new Error(`no "${kind}" figures`);
  return figures;
}

function expectConsistent(results: RunResults, allowed: string[] = [], options: { nodeKilled?: boolean } = {}): void {
  for (const [id, result] of Object.entries(results.models)) {
    expect({ id, ticks: result.check.ticks_consistent, examples: result.check.examples }).toEqual({ id, ticks: true, examples: [] });
    if (options.nodeKilled) {
      // statements the killed node had in flight are in Postgres but died uncounted with it: at
      // most one per pooled connection, each writing at most two rows (a send's one statement
      // stores the message and moves its conversation's last_seq), and never the other way round
      const unaccounted = result.db.tuples_written - result.db.app_rows_written;
      expect((result as ClusterResult).recovery?.rows_unaccounted).toBe(unaccounted);
      expect(unaccounted).toBeGreaterThanOrEqual(0);
      expect(unaccounted).toBeLessThanOrEqual(ORCHESTRATOR_DEFAULTS.poolSizePerNode * 2);
    } else expect({ id, db: result.db.consistent, app: result.db.app_rows_written }).toEqual({ id, db: true, app: result.db.tuples_written });
    expect(Object.keys(result.errors).filter((code) => code !== 'server.rate_limited' && !allowed.includes(code))).toEqual([]);
  }
}

describe('runs across two nodes on Redis', () => {
  beforeAll(async () => {
    redis = await testRedis();
  });

  it('vacation-backlog: the exact per-action counts hold with senders and recipients on different nodes', async () => {
    const pairs = 6;
    const backlog = 15;
    const results = await run('vacation-backlog', [`pairs=${pairs}`, `backlog=${backlog}`]);
    expectConsistent(results);
    const naive = model(results, 'naive');
    const watermark = model(results, 'watermark');
    for (const kind of ['deliver', 'read'] as const) {
      expect(action(naive, kind).count).toBe(pairs);
      expect(action(naive, kind)['db.rows_written']).toBe(pairs * backlog);
      expect(action(watermark, kind)['db.rows_written']).toBe(pairs);
      // every status event crossed nodes, and was counted once, where it was written
      expect(action(naive, kind)['ws.events_pushed']).toBe(pairs * backlog);
      expect(action(watermark, kind)['ws.events_pushed']).toBe(pairs);
    }
    expect(naive.latency['latency.receipt']?.count).toBe(pairs);
    expect(naive.cluster?.routed_out).toBeGreaterThanOrEqual(2 * pairs * backlog);
    expect(naive.cluster?.routed_out).toBe(naive.cluster?.routed_in);
    expect(results.nodes).toBe(2);
  });

  it('mass-reconnect: events per reconnect are the same with two nodes', async () => {
    const users = 20;
    const conversations = 3;
    const changes = 4;
    const results = await run('mass-reconnect', [`users=${users}`, `conversations=${conversations}`, `changes=${changes}`, 'window=1']);
    expectConsistent(results);
    expect(action(model(results, 'naive'), 'reconnect').count).toBe(users);
    expect(action(model(results, 'naive'), 'reconnect')['ws.events_pushed']).toBe(users * conversations * changes);
    expect(action(model(results, 'watermark'), 'reconnect')['ws.events_pushed']).toBe(users * conversations);
  });

  it.each(drivers)('%s driver: a node SIGKILLed mid-storm: its clients fail over, every acked message and receipt survives, its sessions are cleaned up', async (driver) => {
    const users = 24;
    const conversations = 3;
    const changes = 4;
    // phase 3 is the storm; 0.6 s into its 2 s window about a third of the users are connected
    const results = await run('mass-reconnect', [`users=${users}`, `conversations=${conversations}`, `changes=${changes}`, 'window=2'], { killNodeAt: '2:0.6', driver });
    expect(results.driver).toBe(driver);
    // drops and refused connects to the dead node are the fault itself; duplicates are at-least-once
    expectConsistent(results, ['client.dropped', 'client.connect_failed', 'client.duplicate_delivery', 'server.socket'], { nodeKilled: true });
    for (const id of ['naive', 'watermark']) {
      const result = model(results, id);
      const recovery = result.recovery!;
      expect(recovery.killed_node).toMatch(/^node-[12]$/);
      // held counts sockets still syncing too: those fail over as a failed connect, not a drop
      expect(recovery.clients_dropped).toBeGreaterThan(0);
      expect(recovery.clients_dropped).toBeLessThanOrEqual(recovery.clients_held);
      expect(recovery.all_synced_ms).toBeGreaterThan(0);
      // every storm client ends synced: reconnects = the storm's plus one per failover
      expect(action(result, 'reconnect').count).toBe(users + recovery.clients_dropped);
      // every message the plan sent is stored with its sender holding it acked, and read: the
      // stored ticks come from the receipts (watermarks for watermark), so a lost receipt or a
      // watermark that moved back would show here as a tick below "read"
      expect(result.check.messages_checked).toBeGreaterThanOrEqual(2 * users * conversations * changes);
      expect(result.check.mismatches).toBe(0);
      expect(recovery.sessions_cleaned_after_ms).not.toBeNull();
      expect(result.cluster?.dead_nodes_cleaned).toBe(1);
    }
  });

  it.each(drivers)('%s driver: a node SIGKILLed while users send: unacked sends are resent with their tempId, stored once, none lost', async (driver) => {
    const users = 16;
    const conversations = 2;
    const changes = 6;
    // live history: phase 1 sends 192 messages at 150/s, so the kill lands mid-send
    const results = await run(
      'mass-reconnect',
      [`users=${users}`, `conversations=${conversations}`, `changes=${changes}`, 'window=1', 'liveHistory=1', 'sendRate=150'],
      { killNodeAt: '1:0.5', models: ['naive'], driver },
    );
    expectConsistent(results, ['client.dropped', 'client.connect_failed', 'client.duplicate_delivery', 'server.socket'], { nodeKilled: true });
    const result = model(results, 'naive');
    expect(result.recovery!.clients_dropped).toBeGreaterThan(0);
    // each conversation holds exactly `changes` rows: a resend answered with its first ack, never a second row
    expect(action(result, 'send').count).toBe(users * conversations * changes);
    // rows held, not tuples inserted: Postgres counts an insert a racing resend lost (unique
    // violation, rolled back) among inserted tuples, though the row never exists
    expect(result.db.tables?.messages?.rows).toBe(users * conversations * changes);
    expect(result.check.mismatches).toBe(0);
  });

  it('refuses bad cluster options by name, and a Redis that is down with exit 1 and its URL', async () => {
    const base = { scenario: 'vacation-backlog', sets: ['pairs=2', 'backlog=2'] };
    expect(() => validateRunOptions({ ...base, killNodeAt: '1' })).toThrow(new UsageError('--kill-node-at needs --nodes 2 or more: the clients of the killed node fail over to a survivor'));
    expect(() => validateRunOptions({ ...base, nodes: 2, killNodeAt: 'soon' })).toThrow(/^--kill-node-at soon: expected seconds/);
    expect(() => validateRunOptions({ ...base, nodes: 2, killNodeAt: '9:1' })).toThrow('--kill-node-at 9:1: vacation-backlog has 4 phases (1-4)');
    expect(() => validateRunOptions({ ...base, nodes: 2, redisUrl: 'localhost:6379' })).toThrow(/^--redis-url localhost:6379: expected redis:\/\//);
    expect(validateRunOptions({ ...base, nodes: 2, killNodeAt: '3:0.5' }).killNodeAt).toEqual({ phase: 3, seconds: 0.5 });
    const down = `redis://127.0.0.1:${await freePort()}`;
    const failure = runScenario({ ...base, nodes: 2, redisUrl: down, pgUrl: inject('pgAdminUrl'), store: false });
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toThrow(`Redis at ${down} is not reachable`);
  });
});
