// A model whose capabilities ask for Redis: a run of it needs one (a usage error without one and
// without redis-server to start), every node hands the model a live connection, and a server
// started without one refuses the model by name.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runScenario, validateRunOptions } from '../../cli/run-scenario.ts';
import { getModel, loadModelModule } from '../../reference-server/models/registry.ts';
import { startTestServer } from '../support/server.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { ACK_COUNT_KEY } from '../models/redis-acks/redis-acks.ts';

const MODULE = 'test/models/redis-acks/redis-acks.ts';
let redis: TestRedis;

beforeAll(async () => {
  await loadModelModule(MODULE);
});

describe('a model that asks for Redis', () => {
  it('is refused by a server given no Redis, naming the model', async () => {
    expect(getModel('redis-acks').capabilities.redis).toBe(true);
    await expect(startTestServer('redis-acks', { users: [1], conversations: [] })).rejects.toThrow('model redis-acks keeps its state in Redis: give the node a Redis (--redis-url)');
  });

  it('makes a single-node run need Redis', () => {
    expect(validateRunOptions({ scenario: 'vacation-backlog', models: ['naive'] }).needsRedis).toBe(false);
    expect(validateRunOptions({ scenario: 'vacation-backlog', models: ['naive', 'redis-acks'] }).needsRedis).toBe(true);
  });

  describe('with Redis', () => {
    beforeAll(async () => {
      redis = await testRedis({ own: true });
    });

    it('runs a scenario with every node holding a live connection for it: each ack counted in Redis', { timeout: 180_000 }, async () => {
      const client = new Redis(redis.url);
      try {
        await client.del(ACK_COUNT_KEY);
        const { results } = await runScenario({
          scenario: 'vacation-backlog',
          sets: ['pairs=3', 'backlog=4'],
          models: ['redis-acks'],
          nodes: 2,
          redisUrl: redis.url,
          pgUrl: inject('pgAdminUrl'),
          outDir: join(mkdtempSync(join(tmpdir(), 'chatbench-capabilities-')), 'run'),
          store: false,
        });
        const result = results.models['redis-acks']!;
        expect({ ticks: result.check.ticks_consistent, db: result.db.consistent, errors: result.errors }).toEqual({ ticks: true, db: true, errors: {} });
        const acks = (result.actions.deliver?.count ?? 0) + (result.actions.read?.count ?? 0);
        expect(acks).toBe(6);
        expect(Number(await client.get(ACK_COUNT_KEY))).toBe(acks);
      } finally {
        client.disconnect();
      }
    });
  });
});
