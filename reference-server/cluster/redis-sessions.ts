// The session registry of a multi-node cluster, on Redis:
//   {p}sessions:{user}     hash  "{node}|{conn}" -> node   every live connection of the user (TTL, refreshed by heartbeat)
//   {p}presence:{user}     "online" (TTL, refreshed by heartbeat) or the last-seen epoch ms (kept a day)
//   {p}node:{node}         exists while the node heartbeats
//   {p}nodes               set of node ids;  {p}node-users:{node}  users with a session on that node
// Channels: {p}route:{node} carries frames for that node's sockets; {p}presence:{user} carries
// the user's presence changes to the nodes that have a chat with that user open.
// A node that stops heartbeating (killed) is cleaned up by the first survivor to notice, and by
// TTL expiry if no node survives.
import type { Redis } from 'ioredis';
import type { ActionKind } from '../../analysis/metric-names.ts';
import type { ServerFrame } from '../protocol.ts';
import { LocalSessions, type ClientSocket, type DeliverySink, type PresenceStatus, type SessionRegistry } from '../sessions.ts';
import { connectRedis } from './redis-connect.ts';

export const CLUSTER_DEFAULTS = {
  /** how often a node refreshes its liveness, sessions and presence, and looks for dead nodes */
  heartbeatMs: 1000,
  /** a node silent this long is dead: survivors remove its sessions */
  nodeTtlMs: 3000,
  /** a session not refreshed this long is gone even if no survivor cleans it up */
  sessionTtlMs: 30_000,
  /** "online" without a heartbeat expires after this (the seeds' 60 s, shortened for runs) */
  presenceTtlMs: 10_000,
  lastSeenTtlMs: 86_400_000,
  prefix: 'chatbench:',
};

export type ClusterOptions = Partial<typeof CLUSTER_DEFAULTS> & { url: string; nodeId: string };

/** beats between refreshes of a key with this TTL: about three refreshes per TTL, at least one per beat */
export function beatsPerRefresh(ttlMs: number, heartbeatMs: number): number {
  return Math.max(1, Math.floor(ttlMs / (3 * heartbeatMs)));
}

interface Routed {
  u: number;
  a?: ActionKind;
  k: ServerFrame['type'];
  t: string;
}

interface PresenceMessage {
  s: 'online' | 'offline';
  l?: number;
}

const REGISTER = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('SET', KEYS[2], 'online', 'PX', ARGV[4])
if redis.call('HLEN', KEYS[1]) == 1 then
  redis.call('PUBLISH', ARGV[6], ARGV[7])
  return 1
end
return 0`;

const UNREGISTER = `
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[5] == '1' then redis.call('SREM', KEYS[3], ARGV[4]) end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  redis.call('PUBLISH', ARGV[6], ARGV[7])
  return 1
end
return 0`;

// removes every session a node held; users left with none go offline (last seen now)
const CLEAN_NODE = `
local users = redis.call('SMEMBERS', KEYS[1])
local mark = ARGV[2] .. '|'
local removed = 0
local offline = 0
for _, u in ipairs(users) do
  local skey = ARGV[1] .. 'sessions:' .. u
  for _, f in ipairs(redis.call('HKEYS', skey)) do
    if string.sub(f, 1, #mark) == mark then
      redis.call('HDEL', skey, f)
      removed = removed + 1
    end
  end
  if redis.call('HLEN', skey) == 0 then
    redis.call('SET', ARGV[1] .. 'presence:' .. u, ARGV[3], 'PX', ARGV[4])
    redis.call('PUBLISH', ARGV[1] .. 'presence:' .. u, '{"s":"offline","l":' .. ARGV[3] .. '}')
    offline = offline + 1
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return {removed, offline}`;

export class RedisSessions implements SessionRegistry {
  private readonly local = new LocalSessions();
  private readonly config: typeof CLUSTER_DEFAULTS & { url: string; nodeId: string };
  private sink: DeliverySink | undefined;
  private onLost: (reason: string) => void = () => {};
  private heartbeat: NodeJS.Timeout | undefined;
  private connCounter = 0;
  private beats = 0;
  private readonly fields = new Map<ClientSocket, string>();
  private healthy = true;
  private closed = false;
  private readonly counters = {
    routed_out: 0,
    routed_in: 0,
    dead_nodes_cleaned: 0,
    dead_sessions_removed: 0,
    dead_users_offline: 0,
    heartbeat_missed: 0,
    outages: 0,
  };
  readonly transitionsCounted = { online: 0, offline: 0 };

  private constructor(
    private readonly cmd: Redis,
    private readonly sub: Redis,
    options: ClusterOptions,
  ) {
    this.config = { ...CLUSTER_DEFAULTS, ...options };
  }

  static async start(options: ClusterOptions): Promise<RedisSessions> {
    const cmd = await connectRedis(options.url, `chatbench-${options.nodeId}`);
    let sub: Redis;
    try {
      sub = await connectRedis(options.url, `chatbench-${options.nodeId}-sub`);
    } catch (error) {
      cmd.disconnect();
      throw error;
    }
    const registry = new RedisSessions(cmd, sub, options);
    await registry.init();
    return registry;
  }

  private key(kind: 'sessions' | 'presence' | 'node' | 'node-users', id: string | number): string {
    return `${this.config.prefix}${kind}:${id}`;
  }

  private get nodesKey(): string {
    return `${this.config.prefix}nodes`;
  }

  private routeChannel(nodeId: string): string {
    return `${this.config.prefix}route:${nodeId}`;
  }

  private presenceChannel(userId: number): string {
    return `${this.config.prefix}presence:${userId}`;
  }

  private async init(): Promise<void> {
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    for (const client of [this.cmd, this.sub]) {
      client.on('close', () => this.lost('connection to Redis closed'));
      client.on('ready', () => this.recovered());
    }
    await this.sub.subscribe(this.routeChannel(this.config.nodeId));
    await this.beat(true);
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), this.config.heartbeatMs);
    this.heartbeat.unref();
  }

  private lost(reason: string): void {
    if (this.closed || !this.healthy) return;
    this.healthy = false;
    this.counters.outages += 1;
    this.onLost(reason);
  }

  private recovered(): void {
    if (this.closed || this.healthy) return;
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    this.healthy = true;
    void this.beat(true).catch(() => {});
  }

  attach(sink: DeliverySink, onLost: (reason: string) => void): void {
    this.sink = sink;
    this.onLost = onLost;
    this.local.attach(sink, onLost);
  }

  transitions(): { online: number; offline: number } {
    return { ...this.transitionsCounted };
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.routeChannel(this.config.nodeId)) {
      const routed = JSON.parse(message) as Routed;
      this.counters.routed_in += 1;
      this.sink?.routed(routed.k, routed.a, this.local.writeLocal(routed.u, routed.t));
      return;
    }
    const prefix = `${this.config.prefix}presence:`;
    if (!channel.startsWith(prefix)) return;
    const userId = Number(channel.slice(prefix.length));
    const change = JSON.parse(message) as PresenceMessage;
    const presence: PresenceStatus = change.s === 'online' ? { status: 'online' } : { status: 'offline', ...(change.l ? { lastSeen: change.l } : {}) };
    this.local.notifyPresence(userId, presence, change.s === 'online' ? 'connect' : 'disconnect');
  }

  /**
   * Liveness, then local sessions and presence refreshed, then dead nodes cleaned up. A node
   * whose own liveness key had expired was presumed dead and its sessions removed: it drops its
   * clients so they register again.
   *
   * Each user's keys are refreshed about three times per TTL, not at every beat: a slice of the
   * users per beat (by user id), so the cost is even from beat to beat. Refreshing all of them
   * every second was two Redis commands per connected user per second: with 15,000 users on a
   * node, 30,000 commands a second, while a reconnect storm needed that CPU. A key still has
   * two thirds of its TTL as slack for a late beat. `full` refreshes everyone (start, and after
   * an outage of Redis).
   */
  private async beat(full = false): Promise<void> {
    if (this.closed) return;
    const { nodeId, nodeTtlMs, sessionTtlMs, presenceTtlMs, heartbeatMs } = this.config;
    const wasAlive = await this.cmd.pexpire(this.key('node', nodeId), nodeTtlMs);
    if (!wasAlive) {
      await this.cmd.set(this.key('node', nodeId), String(process.pid), 'PX', nodeTtlMs);
      await this.cmd.sadd(this.nodesKey, nodeId);
      if (this.local.localUsers().length) {
        this.counters.heartbeat_missed += 1;
        this.onLost('this node missed its heartbeat and was presumed dead');
      }
    }
    const beat = this.beats++;
    const sessionsEvery = full ? 1 : beatsPerRefresh(sessionTtlMs, heartbeatMs);
    const presenceEvery = full ? 1 : beatsPerRefresh(presenceTtlMs, heartbeatMs);
    const pipeline = this.cmd.pipeline();
    for (const userId of this.local.localUsers()) {
      if (userId % sessionsEvery === beat % sessionsEvery) pipeline.pexpire(this.key('sessions', userId), sessionTtlMs);
      if (userId % presenceEvery === beat % presenceEvery) pipeline.set(this.key('presence', userId), 'online', 'PX', presenceTtlMs);
    }
    pipeline.pexpire(this.key('node-users', nodeId), sessionTtlMs);
    await pipeline.exec();
    await this.cleanDeadNodes();
  }

  /** removes the sessions of every node whose liveness key is gone (one survivor does each) */
  async cleanDeadNodes(): Promise<number> {
    const nodes = await this.cmd.smembers(this.nodesKey);
    let cleaned = 0;
    for (const other of nodes) {
      if (other === this.config.nodeId) continue;
      if (await this.cmd.exists(this.key('node', other))) continue;
      const lock = await this.cmd.set(`${this.config.prefix}cleanup:${other}`, this.config.nodeId, 'PX', this.config.nodeTtlMs, 'NX');
      if (lock !== 'OK') continue;
      const [removed, offline] = (await this.cleanNode(other)) as [number, number];
      this.counters.dead_nodes_cleaned += 1;
      this.counters.dead_sessions_removed += removed;
      this.counters.dead_users_offline += offline;
      cleaned += 1;
    }
    return cleaned;
  }

  private cleanNode(nodeId: string): Promise<unknown> {
    return this.cmd.eval(CLEAN_NODE, 2, this.key('node-users', nodeId), this.nodesKey, this.config.prefix, nodeId, String(Date.now()), String(this.config.lastSeenTtlMs));
  }

  async register(socket: ClientSocket): Promise<void> {
    const field = `${this.config.nodeId}|${++this.connCounter}`;
    this.fields.set(socket, field);
    this.local.addLocal(socket);
    try {
      const cameOnline = await this.cmd.eval(
        REGISTER,
        3,
        this.key('sessions', socket.userId),
        this.key('presence', socket.userId),
        this.key('node-users', this.config.nodeId),
        field,
        this.config.nodeId,
        String(this.config.sessionTtlMs),
        String(this.config.presenceTtlMs),
        String(socket.userId),
        this.presenceChannel(socket.userId),
        JSON.stringify({ s: 'online' } satisfies PresenceMessage),
      );
      if (cameOnline === 1) this.transitionsCounted.online += 1;
    } catch (error) {
      this.fields.delete(socket);
      this.local.removeLocal(socket);
      throw error;
    }
  }

  async unregister(socket: ClientSocket): Promise<void> {
    const field = this.fields.get(socket);
    if (field === undefined || this.closed) return;
    this.fields.delete(socket);
    const { last, unwatched } = this.local.removeLocal(socket);
    if (unwatched.length) void this.sub.unsubscribe(...unwatched.map((peer) => this.presenceChannel(peer))).catch(() => {});
    const lastSeen = Date.now();
    const wentOffline = await this.cmd.eval(
      UNREGISTER,
      3,
      this.key('sessions', socket.userId),
      this.key('presence', socket.userId),
      this.key('node-users', this.config.nodeId),
      field,
      String(lastSeen),
      String(this.config.lastSeenTtlMs),
      String(socket.userId),
      last ? '1' : '0',
      this.presenceChannel(socket.userId),
      JSON.stringify({ s: 'offline', l: lastSeen } satisfies PresenceMessage),
    );
    if (wentOffline === 1) this.transitionsCounted.offline += 1;
  }

  async deliver(userId: number, frame: ServerFrame, text: string, action?: ActionKind): Promise<number> {
    const bytes = this.local.writeLocal(userId, text);
    const nodes = new Set(await this.cmd.hvals(this.key('sessions', userId)));
    nodes.delete(this.config.nodeId);
    if (nodes.size) {
      const message = JSON.stringify({ u: userId, ...(action ? { a: action } : {}), k: frame.type, t: text } satisfies Routed);
      await Promise.all([...nodes].map((node) => this.cmd.publish(this.routeChannel(node), message)));
      this.counters.routed_out += nodes.size;
    }
    return bytes;
  }

  async watch(socket: ClientSocket, conversationId: number, peers: number[]): Promise<void> {
    const fresh = this.local.watchLocal(socket, conversationId, peers);
    // subscribed before the state is read, so a change in between is not missed
    if (fresh.length) await this.sub.subscribe(...fresh.map((peer) => this.presenceChannel(peer)));
    if (!peers.length) return;
    const states = await this.cmd.mget(...peers.map((peer) => this.key('presence', peer)));
    peers.forEach((peer, index) => this.local.sendPresence(socket, conversationId, peer, parsePresence(states[index] ?? null), 'open'));
  }

  async unwatch(socket: ClientSocket, conversationId: number): Promise<void> {
    const gone = this.local.unwatchLocal(socket, conversationId);
    if (gone.length) await this.sub.unsubscribe(...gone.map((peer) => this.presenceChannel(peer)));
  }

  async presenceOf(userId: number): Promise<PresenceStatus> {
    return parsePresence(await this.cmd.get(this.key('presence', userId)));
  }

  /** the sessions of one user as the cluster sees them: field -> node (tests, diagnostics) */
  sessionsOf(userId: number): Promise<Record<string, string>> {
    return this.cmd.hgetall(this.key('sessions', userId));
  }

  /** fault injection: stop heartbeating and drop the Redis connections, cleaning up nothing */
  crash(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    try {
      // sockets are closed by now; what is left of this node in Redis goes with it
      await this.cleanNode(this.config.nodeId);
      await this.cmd.del(this.key('node', this.config.nodeId));
    } catch {
      // Redis is down: TTLs and survivors clean up instead
    }
    this.cmd.disconnect();
    this.sub.disconnect();
    await this.local.close();
  }
}

function parsePresence(value: string | null): PresenceStatus {
  if (value === null) return { status: 'offline' };
  if (value === 'online') return { status: 'online' };
  const lastSeen = Number(value);
  return Number.isFinite(lastSeen) ? { status: 'offline', lastSeen } : { status: 'offline' };
}
