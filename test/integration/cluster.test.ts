// Cluster mode on a real Redis and a real Postgres: two reference-server nodes in this process,
// each with its own Redis-backed session registry, sharing one model database.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../reference-server/auth.ts';
import { beatsPerRefresh, RedisSessions, type ClusterOptions } from '../../reference-server/cluster/redis-sessions.ts';
import { connectRedis, RedisUnavailableError } from '../../reference-server/cluster/redis-connect.ts';
import { freePort } from '../../reference-server/cluster/redis-server.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase, type ModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';
import { CLOSE_CODES, type ServerFrame } from '../../reference-server/protocol.ts';
import { startChatServer, type ChatServer } from '../../reference-server/server.ts';
import type { ClientSocket, DeliverySink } from '../../reference-server/sessions.ts';
import { ownedRedisServer, testRedis, type TestRedis } from '../support/redis.ts';
import { TestClient } from '../support/ws-client.ts';

const SECRET = 'cluster-secret';
// user 1 and 2 chat directly (conversation 1); 3 is 1's contact in conversation 2
const POPULATION = {
  users: [1, 2, 3],
  conversations: [
    { id: 1, kind: 'direct' as const, members: [1, 2] },
    { id: 2, kind: 'direct' as const, members: [1, 3] },
  ],
};
const FAST: Partial<ClusterOptions> = { heartbeatMs: 100, nodeTtlMs: 400, presenceTtlMs: 600 };

class FakeSocket implements ClientSocket {
  readonly frames: ServerFrame[] = [];
  constructor(readonly userId: number) {}
  sendText(text: string): number {
    this.frames.push(JSON.parse(text) as ServerFrame);
    return Buffer.byteLength(text);
  }
}

const NO_SINK: DeliverySink = { routed: () => {}, presence: () => {} };

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('cluster mode on Redis', () => {
  let redis: TestRedis;
  let database: ModelDatabase;
  const servers: ChatServer[] = [];

  beforeAll(async () => {
    redis = await testRedis();
    database = await prepareModelDatabase(inject('pgAdminUrl'), getModel('watermark'));
    await seedPopulation(database.setup.for('setup'), POPULATION);
  });

  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => {});
    await database?.drop();
  });

  async function node(nodeId: string, prefix: string, url = redis.url): Promise<ChatServer> {
    const sessions = await RedisSessions.start({ ...FAST, url, nodeId, prefix });
    const server = await startChatServer({ model: getModel('watermark'), pool: database.pool, secret: SECRET, port: 0, nodeId, sessions });
    servers.push(server);
    return server;
  }

  async function client(server: ChatServer, userId: number): Promise<TestClient> {
    const connected = await TestClient.connect(server.url, mintToken(SECRET, userId));
    await connected.sync();
    return connected;
  }

  it('routes messages and status events across nodes, each counted where it is written', async () => {
    const prefix = redis.prefix();
    const a = await node('a', prefix);
    const b = await node('b', prefix);
    const alice = await client(a, 1);
    const bob = await client(b, 2);
    const ack = await alice.sendMessage(1, 'x-1');
    const msg = await bob.next('msg', (frame) => frame.seq === ack.seq);
    expect(msg).toMatchObject({ conversationId: 1, senderId: 1 });
    bob.send({ type: 'read', conversationId: 1, upToSeq: ack.seq });
    const status = await alice.next('status_update', (frame) => frame.userId === 2 && frame.lastReadSeq === ack.seq);
    expect(status.lastDeliveredSeq).toBe(ack.seq);
    // the read's status event was written on node a: a counts it under `read`, b counts none
    expect(a.metrics().pushes.read?.events).toBe(1);
    expect(b.metrics().pushes.read).toBeUndefined();
    expect(a.metrics().registry?.routed_in).toBeGreaterThanOrEqual(1);
    expect(b.metrics().registry?.routed_out).toBeGreaterThanOrEqual(1);
    alice.close();
    bob.close();
    await a.close();
    await b.close();
  });

  it('pushes presence only to a user who has the chat open, on another node', async () => {
    const prefix = redis.prefix();
    const a = await node('a', prefix);
    const b = await node('b', prefix);
    const alice = await client(a, 1);
    const carol = await client(a, 3);
    const bob = await client(b, 2);
    alice.send({ type: 'open_conversation', conversationId: 1 });
    expect(await alice.next('presence', (frame) => frame.userId === 2)).toMatchObject({ conversationId: 1, status: 'online' });
    bob.close();
    const offline = await alice.next('presence', (frame) => frame.userId === 2 && frame.status === 'offline');
    expect(offline.lastSeen).toBeGreaterThan(Date.now() - 10_000);
    await carol.settle();
    // carol has no chat with bob open (and none at all): she saw no presence frame
    expect(carol.frames.filter((frame) => frame.type === 'presence')).toEqual([]);
    const again = await client(b, 2);
    await alice.next('presence', (frame) => frame.userId === 2 && frame.status === 'online');
    alice.send({ type: 'close_conversation', conversationId: 1 });
    await alice.settle();
    again.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alice.frames.filter((frame) => frame.type === 'presence')).toEqual([]);
    const counters = a.metrics().presence;
    expect(counters.open.events).toBe(1);
    expect(counters.connect.events).toBe(1);
    expect(counters.disconnect.events).toBe(1);
    // a frame that is not a member's is refused like any other
    alice.send({ type: 'open_conversation', conversationId: 99, ref: 'r' });
    expect(await alice.next('error', (frame) => frame.ref === 'r')).toMatchObject({ code: 'not_a_member' });
    alice.close();
    carol.close();
    await a.close();
    await b.close();
  });

  it('lets "online" expire when no heartbeat refreshes it (a frozen or dead node)', async () => {
    const prefix = redis.prefix();
    const frozen = await RedisSessions.start({ ...FAST, url: redis.url, nodeId: 'frozen', prefix, nodeTtlMs: 60_000 });
    const observer = await RedisSessions.start({ ...FAST, url: redis.url, nodeId: 'observer', prefix });
    frozen.attach(NO_SINK, () => {});
    await frozen.register(new FakeSocket(7));
    expect(await observer.presenceOf(7)).toEqual({ status: 'online' });
    frozen.crash();
    const crashedAt = Date.now();
    await until(async () => (await observer.presenceOf(7)).status === 'offline', 5000, 'presence to expire');
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual((FAST.presenceTtlMs ?? 0) - 300);
    await observer.close();
  });

  it('refreshes each user\'s keys a slice per beat, and keeps them alive past several TTLs', async () => {
    const prefix = redis.prefix();
    // presence refreshed every 2 beats, sessions every 4 (beatsPerRefresh): users 1-8 give
    // exactly 4 presence SETs and 2 session PEXPIREs per beat
    const options = { ...FAST, sessionTtlMs: 1200, url: redis.url, nodeId: 'sliced', prefix };
    expect([beatsPerRefresh(options.presenceTtlMs!, options.heartbeatMs!), beatsPerRefresh(options.sessionTtlMs, options.heartbeatMs!)]).toEqual([2, 4]);
    const node = await RedisSessions.start(options);
    node.attach(NO_SINK, () => {});
    for (let userId = 1; userId <= 8; userId++) await node.register(new FakeSocket(userId));
    const monitorConnection = await connectRedis(redis.url, 'sliced-monitor');
    const monitor = await monitorConnection.monitor();
    const beats: { presence: number; sessions: number }[] = [];
    let current: { presence: number; sessions: number } | undefined;
    monitor.on('monitor', (_time: string, args: string[]) => {
      const [command, key] = [args[0]?.toLowerCase(), args[1] ?? ''];
      if (!key.startsWith(prefix)) return;
      // the node-users PEXPIRE closes each beat's pipeline
      if (command === 'pexpire' && key === `${prefix}node-users:sliced`) {
        if (current) beats.push(current);
        current = { presence: 0, sessions: 0 };
      } else if (current && command === 'set' && key.startsWith(`${prefix}presence:`)) current.presence += 1;
      else if (current && command === 'pexpire' && key.startsWith(`${prefix}sessions:`)) current.sessions += 1;
    });
    // three presence TTLs: every key must still be there
    await new Promise((resolve) => setTimeout(resolve, 3 * options.presenceTtlMs!));
    monitorConnection.disconnect();
    expect(beats.length).toBeGreaterThanOrEqual(8);
    expect(beats.filter((beat) => beat.presence !== 4 || beat.sessions !== 2)).toEqual([]);
    for (let userId = 1; userId <= 8; userId++) {
      expect(await node.presenceOf(userId)).toEqual({ status: 'online' });
      expect(Object.values(await node.sessionsOf(userId))).toEqual(['sliced']);
    }
    await node.close();
  });

  it('removes the sessions of a node that stopped heartbeating, and tells watchers the user left', async () => {
    const prefix = redis.prefix();
    const dying = await RedisSessions.start({ ...FAST, url: redis.url, nodeId: 'dying', prefix });
    const survivor = await RedisSessions.start({ ...FAST, url: redis.url, nodeId: 'survivor', prefix });
    dying.attach(NO_SINK, () => {});
    const presenceEvents: string[] = [];
    survivor.attach({ routed: () => {}, presence: (cause) => presenceEvents.push(cause) }, () => {});
    await dying.register(new FakeSocket(8));
    const twoDevices = new FakeSocket(9);
    await dying.register(new FakeSocket(9));
    await survivor.register(twoDevices);
    const watcher = new FakeSocket(10);
    await survivor.register(watcher);
    await survivor.watch(watcher, 1, [8]);
    expect(Object.values(await survivor.sessionsOf(8))).toEqual(['dying']);
    dying.crash();
    await until(async () => Object.keys(await survivor.sessionsOf(8)).length === 0, 5000, 'the dead node to be cleaned up');
    expect(await survivor.presenceOf(8)).toMatchObject({ status: 'offline', lastSeen: expect.any(Number) });
    // user 9 is still connected to the survivor: only the dead node's session went
    expect(Object.values(await survivor.sessionsOf(9))).toEqual(['survivor']);
    expect(await survivor.presenceOf(9)).toEqual({ status: 'online' });
    await until(() => watcher.frames.some((frame) => frame.type === 'presence' && frame.status === 'offline'), 2000, 'the watcher to hear of it');
    expect(presenceEvents).toEqual(['open', 'disconnect']);
    expect(survivor.stats()).toMatchObject({ dead_nodes_cleaned: 1, dead_sessions_removed: 2, dead_users_offline: 1 });
    await survivor.close();
  });

  it('refuses to start with a clear error naming the URL when Redis is down', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(connectRedis(url, 'probe')).rejects.toThrow(RedisUnavailableError);
    await expect(RedisSessions.start({ url, nodeId: 'n' })).rejects.toThrow(`Redis at ${url} is not reachable: connect ECONNREFUSED`);
  });

  it('survives losing Redis mid-run: clients are dropped, refused while it is down, and lose nothing acked', async () => {
    let own = await ownedRedisServer();
    const port = own.port;
    try {
      const prefix = redis.prefix();
      const a = await node('a', prefix, own.url);
      const b = await node('b', prefix, own.url);
      const alice = await client(a, 1);
      const bob = await client(b, 2);
      const acked: number[] = [];
      for (let i = 0; i < 3; i++) acked.push((await alice.sendMessage(1, `before-${i}`)).seq);
      await own.kill();
      expect(await alice.waitClosed()).toBe(CLOSE_CODES.registryLost);
      expect(await bob.waitClosed()).toBe(CLOSE_CODES.registryLost);
      const refused = await TestClient.connect(a.url, mintToken(SECRET, 1));
      expect(await refused.waitClosed()).toBe(CLOSE_CODES.tryAgainLater);
      expect(a.metrics().errors.registry_unavailable).toBeGreaterThanOrEqual(1);
      own = await ownedRedisServer({ port });
      // both nodes reconnect by themselves; clients reconnect to whichever node and resync
      let alice2: TestClient | undefined;
      await until(
        async () => {
          const attempt = await TestClient.connect(b.url, mintToken(SECRET, 1));
          attempt.send({ type: 'sync' });
          const ok = await Promise.race([attempt.next('synced', () => true, 1000).then(() => true), attempt.waitClosed().then(() => false)]).catch(() => false);
          if (ok) alice2 = attempt;
          else attempt.close();
          return ok;
        },
        10_000,
        'a node to accept clients again',
      );
      const bob2 = await client(a, 2);
      const after = await alice2!.sendMessage(1, 'after-0');
      acked.push(after.seq);
      // a resend with the same tempId is answered with the first ack, never a second row
      expect(await alice2!.sendMessage(1, 'before-1')).toMatchObject({ seq: acked[1], duplicate: true });
      await bob2.next('msg', (frame) => frame.seq === after.seq);
      const fresh = await TestClient.connect(a.url, mintToken(SECRET, 2));
      fresh.send({ type: 'sync', lastSeqs: { '1': 0 } });
      const batch = await fresh.next('sync_batch', (frame) => frame.conversationId === 1);
      expect(batch.messages.map((message) => message.seq)).toEqual(expect.arrayContaining(acked));
      for (const connected of [alice2!, bob2, fresh]) connected.close();
      await a.close();
      await b.close();
    } finally {
      await own.stop();
    }
  });
});
