// The figures chatbench calls exact, checked against the source they come from: quantiles against
// the raw samples, phase WAL against setup WAL, and the database's own per-table and
// per-transaction counters against the query layer's attribution.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { evaluateGate } from '../../analysis/gates/evaluate.ts';
import { parseGateJson } from '../../analysis/gates/thresholds.ts';
import { nearestRank } from '../../analysis/quantiles.ts';
import type { RunResults } from '../../analysis/results-schema.ts';
import { runScenario } from '../../cli/run-scenario.ts';
import { WalMeter } from '../../drivers/wal-meter.ts';
import { mintToken } from '../../reference-server/auth.ts';
import { createDatabase } from '../../reference-server/db/postgres.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { readTupleCounters, TRUTH_DEFAULTS, TruthUnavailableError } from '../../reference-server/db/truth.ts';
import { prepareModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';
import type { ModelDefinition } from '../../reference-server/models/types.ts';
import { watermark, watermarkReceipts } from '../../reference-server/models/watermark/watermark.ts';
import { startChatServer } from '../../reference-server/server.ts';
import { TestClient } from '../support/ws-client.ts';

async function run(scenario: string, sets: string[], models = ['naive', 'watermark']): Promise<{ results: RunResults; dir: string }> {
  const outcome = await runScenario({
    scenario,
    sets,
    models,
    pgUrl: inject('pgAdminUrl'),
    outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-truth-')), 'run'),
    store: false,
  });
  return { results: outcome.results, dir: outcome.dir };
}

/** samples.tsv as written beside results.json: model, metric, t_ms, value_ms, tags */
function samplesOf(dir: string): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const line of readFileSync(join(dir, 'samples.tsv'), 'utf8').trim().split('\n').slice(1)) {
    const [model, metric, , value] = line.split('\t');
    const key = `${model} ${metric}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(Number(value));
  }
  return byKey;
}

describe('one quantile, from the raw samples', () => {
  it('results.json and the gate report the measured p50/p95/p99, min and max exactly', async () => {
    const { results, dir } = await run('vacation-backlog', ['pairs=8', 'backlog=12']);
    const samples = samplesOf(dir);
    let checked = 0;
    for (const [model, result] of Object.entries(results.models)) {
      for (const [metric, summary] of Object.entries(result.latency)) {
        const values = [...samples.get(`${model} ${metric}`)!].sort((a, b) => a - b);
        // receipts that never arrived are counted beside the quantiles, not among the samples
        expect(summary.missing).toBe(metric === 'latency.receipt' ? 0 : undefined);
        expect({ model, metric, ...summary, mean: undefined, missing: undefined }).toEqual({
          model,
          metric,
          count: values.length,
          min: values[0],
          mean: undefined,
          p50: nearestRank(values, 50),
          p95: nearestRank(values, 95),
          p99: nearestRank(values, 99),
          max: values[values.length - 1],
        });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);

    // the gate sees the same sample: `<= p99` passes, `< p99` fails, for every model
    const p99 = (model: string) => results.models[model]!.latency['latency.ack']!.p99;
    const verdict = (op: string) =>
      evaluateGate(
        [results],
        parseGateJson(
          JSON.stringify({ naive: { 'latency.ack': [`p99 ${op} ${p99('naive')}`] }, watermark: { 'latency.ack': [`max ${op} ${results.models.watermark!.latency['latency.ack']!.max}`] } }),
          't.json',
        ).thresholds,
      ).outcomes.map((outcome) => outcome.verdict);
    expect(verdict('<=')).toEqual(['pass', 'pass']);
    expect(verdict('<')).toEqual(['fail', 'fail']);
  });
});

describe('WAL', () => {
  it("a phase's own statement WAL is unknown, never wrong, when pg_stat_statements dropped entries meanwhile", async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    onTestFinished(() => admin.end());
    const database = await createDatabase(inject('pgAdminUrl'), 'chatbench_walmeter');
    onTestFinished(() => database.drop());
    const meter = new WalMeter(admin, true);
    onTestFinished(() => meter.close());
    await meter.beginSetup();
    await meter.setupDone(database.url);
    const work = new pg.Client({ connectionString: database.url });
    await work.connect();
    onTestFinished(() => work.end());
    await work.query('CREATE TABLE t (n int)');
    await meter.phaseStart();
    await work.query('INSERT INTO t SELECT generate_series(1, 1000)');
    const counted = await meter.phaseEnd();
    expect(counted.database_statement_wal_bytes).toBeGreaterThan(0);
    await meter.phaseStart();
    await work.query('INSERT INTO t SELECT generate_series(1, 10)');
    // every entry dropped, as an eviction drops some: the sum falls below the phase's mark
    await work.query('SELECT pg_stat_statements_reset()');
    const dropped = await meter.phaseEnd();
    expect(dropped.database_statement_wal_bytes).toBeUndefined();
    expect(dropped.wal_bytes).toBeGreaterThan(0);
    expect((await meter.report()).database_statement_bytes).toBeNull();
  });

  it('mass-reconnect: the bulk history is setup WAL; the model figure is the sum of its phases', async () => {
    const users = 20;
    const conversations = 2;
    const changes = 6;
    const { results } = await run('mass-reconnect', [`users=${users}`, `conversations=${conversations}`, `changes=${changes}`, 'window=1']);
    for (const [model, result] of Object.entries(results.models)) {
      const phases = result.phases!;
      expect({ model, wal: result.db.wal_bytes }).toEqual({ model, wal: phases.reduce((sum, phase) => sum + phase.wal_bytes, 0) });
      const history = phases.find((phase) => phase.name.startsWith('history imported'))!;
      // the import stores users x conversations / 2 x changes messages (at least ~150 bytes of WAL
      // each: the heap record and two index entries); none of that may land in the phase
      const importedMessages = (users * conversations * changes) / 2;
      expect({ model, historyPhaseWal: history.wal_bytes < importedMessages * 50 }).toEqual({ model, historyPhaseWal: true });
      expect(result.db.wal!.setup_bytes).toBeGreaterThan(importedMessages * 150);
      // the tests' Postgres comes by URL, so the run cannot know nothing else uses it
      expect(result.db.wal).toMatchObject({ scope: 'server', server: 'shared', full_page_writes: 'off', synchronous_commit: 'off' });
      // the embedded server preloads pg_stat_statements: the database's own statement WAL is known
      // (a storm of reconnects only reads, so it may well be 0)
      expect(result.db.wal!.database_statement_bytes).not.toBeNull();
      expect(result.db.wal!.database_statement_bytes).toBeLessThanOrEqual(result.db.wal_bytes);
    }
  });
});

describe('the database cross-check', () => {
  it('checks every table and audits frames of every action kind', async () => {
    const { results } = await run('vacation-backlog', ['pairs=4', 'backlog=5']);
    for (const [model, result] of Object.entries(results.models)) {
      expect({ model, consistent: result.db.consistent, tables: result.db.table_mismatches, audit: result.db.audit!.examples }).toEqual({
        model,
        consistent: true,
        tables: [],
        audit: [],
      });
      for (const table of ['messages', 'conversations', 'users', 'members']) {
        const counters = result.db.tables![table]!;
        expect({ model, table, app: counters.app_rows_written }).toEqual({ model, table, app: counters.ins + counters.upd + counters.del });
      }
      expect(Object.keys(result.db.audit!.frames).sort()).toEqual(['connect', 'deliver', 'read', 'reconnect', 'send']);
      expect(result.db.wal!.database_statement_bytes).toBeGreaterThan(0);
      expect(result.db.wal!.database_statement_bytes).toBeLessThanOrEqual(result.db.wal_bytes);
      // a send to a direct chat is one statement, atomic without BEGIN/COMMIT, in both models
      expect({ model, transactions: result.actions.send!['db.transactions'] ?? 0 }).toEqual({ model, transactions: 0 });
    }
  });

  it('states the BEGIN/COMMIT round trips of a send whose model adds rows (naive group receipts)', async () => {
    const { results } = await run('group-1000', ['members=6', 'messages=4', 'rate=50', 'readEvery=2']);
    const naive = results.models.naive!;
    expect(naive.db.consistent).toBe(true);
    expect(naive.actions.send!['db.transactions']).toBe(naive.actions.send!.count);
    expect(results.models.watermark!.actions.send!['db.transactions'] ?? 0).toBe(0);
  });

  it('catches a statement a model attributes to another action', async () => {
    // watermark, except that its acks count their statements as `send`: the run's totals and
    // every table's totals stay right; only the attribution is wrong
    const misattributing: ModelDefinition = {
      ...watermark,
      create: () => ({ ...watermarkReceipts, acknowledge: (db, ack) => watermarkReceipts.acknowledge(db.as('send'), ack) }),
    };
    const honest = await auditAfterBacklog(watermark);
    expect(honest.mismatches).toBe(0);
    expect(honest.frames.deliver).toBeGreaterThan(0);
    const caught = await auditAfterBacklog(misattributing);
    expect(caught.mismatches).toBe(caught.frames.deliver! + caught.frames.read!);
    expect(caught.examples.join('\n')).toMatch(/deliver frame \(bound to deliver\): 1 row\(s\) of message_status re-attributed to send/);
  });

  it("catches a row a model writes but does not report, from Postgres's own counts", async () => {
    // watermark, except that each ack also touches the acker's users row in a statement that
    // reports no rows written: only the database's per-transaction counters can tell
    const underReporting: ModelDefinition = {
      ...watermark,
      create: () => ({
        ...watermarkReceipts,
        acknowledge: async (db, ack) => {
          await db.writeReported('WITH touched AS (UPDATE users SET id = id WHERE id = $1 RETURNING 1) SELECT 0 AS written_users FROM touched', [ack.userId]);
          return watermarkReceipts.acknowledge(db, ack);
        },
      }),
    };
    const caught = await auditAfterBacklog(underReporting);
    expect(caught.frames.deliver).toBeGreaterThan(0);
    expect(caught.mismatches).toBe(caught.frames.deliver! + caught.frames.read!);
    expect(caught.examples.join('\n')).toMatch(/deliver frame \(bound to deliver\): users: Postgres counts 1 row\(s\) written, the query layer 0/);
  });

  it('fails loudly when another connection keeps the database busy', async () => {
    const database = await prepareModelDatabase(inject('pgAdminUrl'), watermark);
    onTestFinished(() => database.drop());
    await database.pool.end();
    const lingering = new pg.Client({ connectionString: database.url, application_name: 'lingering-test-client' });
    await lingering.connect();
    onTestFinished(() => lingering.end());
    const saved = TRUTH_DEFAULTS.backendsExitMs;
    TRUTH_DEFAULTS.backendsExitMs = 300;
    onTestFinished(() => void (TRUTH_DEFAULTS.backendsExitMs = saved));
    const error = await readTupleCounters(database.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TruthUnavailableError);
    expect(String((error as Error).message)).toMatch(/1 other connection\(s\) .* still open .*lingering-test-client/);
  });
});

describe('a send without BEGIN/COMMIT', () => {
  it('keeps seqs gap-free and counts exactly when resends race their originals on two connections', async () => {
    for (const model of [getModel('naive'), watermark]) {
      // two connections of the same user
      const { database, server, clients: [first, second] } = await directChat(model, [1, 1]);
      const ROUNDS = 40;
      const seqs: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // the same tempId on two connections at once: one stores it, the other is its duplicate
        const frame = { type: 'send', tempId: `race-${round}`, conversationId: 10, body: `m${round}` } as const;
        first.send(frame);
        second.send(frame);
        const acks = await Promise.all([first.next('ack', (ack) => ack.tempId === frame.tempId), second.next('ack', (ack) => ack.tempId === frame.tempId)]);
        expect(acks.map((ack) => ack.seq)).toEqual([acks[0]!.seq, acks[0]!.seq]);
        expect(acks.filter((ack) => !ack.duplicate)).toHaveLength(1);
        seqs.push(acks[0]!.seq);
      }
      expect({ model: model.id, seqs }).toEqual({ model: model.id, seqs: Array.from({ length: ROUNDS }, (_, index) => index + 1) });
      const { rows } = await database.pool.query('SELECT last_seq, (SELECT count(*) FROM messages) AS stored FROM conversations WHERE id = 10');
      expect({ model: model.id, lastSeq: Number(rows[0].last_seq), stored: Number(rows[0].stored) }).toEqual({ model: model.id, lastSeq: ROUNDS, stored: ROUNDS });
      // every row the server said it wrote, and no row it did not
      const sendCounters = server.metrics().db.send!;
      expect({ model: model.id, rows: sendCounters.rowsWritten, tables: sendCounters.tables }).toEqual({ model: model.id, rows: 2 * ROUNDS, tables: { conversations: ROUNDS, messages: ROUNDS } });
    }
  });
});

/** Users 1 and 2 in direct chat 10 on a fresh database and server; a synced client for each of the two user ids. */
async function directChat(model: ModelDefinition, userIds: [number, number], options: { auditEvery?: number } = {}) {
  const database = await prepareModelDatabase(inject('pgAdminUrl'), model);
  onTestFinished(() => database.drop());
  await seedPopulation(database.setup.for('setup'), { users: [1, 2], conversations: [{ id: 10, kind: 'direct', members: [1, 2] }] });
  const server = await startChatServer({ model, pool: database.pool, secret: 's', port: 0, ...options });
  onTestFinished(() => server.close());
  const clients: [TestClient, TestClient] = [await TestClient.connect(server.url, mintToken('s', userIds[0])), await TestClient.connect(server.url, mintToken('s', userIds[1]))];
  onTestFinished(() => {
    for (const client of clients) client.close();
  });
  for (const client of clients) await client.sync();
  return { database, server, clients };
}

/** A 1:1 backlog of 6, delivered and read, every frame audited; returns the server's audit. */
async function auditAfterBacklog(model: ModelDefinition) {
  const { server, clients: [alice, bob] } = await directChat(model, [1, 2], { auditEvery: 1 });
  for (let i = 1; i <= 6; i++) await alice.sendMessage(10, `m${i}`);
  bob.send({ type: 'delivered', conversationId: 10, upToSeq: 6 });
  await alice.next('status_update', (frame) => frame.lastDeliveredSeq === 6);
  bob.send({ type: 'read', conversationId: 10, upToSeq: 6 });
  await alice.next('status_update', (frame) => frame.lastReadSeq === 6);
  await bob.settle();
  return server.metrics().audit;
}
