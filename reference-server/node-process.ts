// A reference-server node as its own process, so the load generator and the server never share
// an event loop. Configured through CHATBENCH_NODE_CONFIG; reports its port over IPC; stops on
// SIGTERM/SIGINT (or a "stop" message) after closing sockets, flushing its model and closing its
// pool. The IPC channel also carries the run engine's control requests: `drain` (write what the
// model buffers, answered `drained`) and `crash` (fault injection, below).
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { connectRedis } from './cluster/redis-connect.ts';
import { RedisSessions, type ClusterOptions } from './cluster/redis-sessions.ts';
import { isConnectionLoss, tolerateIdleErrors } from './db/connection-loss.ts';
import { getModel, loadModelModule } from './models/registry.ts';
import { startChatServer } from './server.ts';

export interface NodeProcessConfig {
  model: string;
  /** validated by the parent; defaults fill what is absent */
  modelOptions?: Record<string, number>;
  /** model modules the parent loaded beyond the built-in registry (absolute paths) */
  modelModules?: string[];
  dbUrl: string;
  secret: string;
  host: string;
  port: number;
  nodeId: string;
  poolSize: number;
  /** cluster mode: the session registry, presence and routing live in this Redis */
  redisUrl?: string;
  /** key and channel prefix in Redis, distinct per run so runs never see each other's sessions */
  redisPrefix?: string;
  cluster?: Omit<ClusterOptions, 'url' | 'nodeId' | 'prefix'>;
}

export type NodeProcessMessage =
  | { type: 'listening'; port: number }
  | { type: 'failed'; error: string }
  | { type: 'drained'; id: number; error?: string };

/** The parent may be gone (its run stopped): a send on a closed channel would kill this process. */
function tell(message: NodeProcessMessage): void {
  if (process.connected) process.send?.(message);
}

export type NodeControlMessage =
  | { type: 'stop' }
  | { type: 'drain'; id: number }
  /** write the metrics snapshot to `file`, then SIGKILL this process in the same instant */
  | { type: 'crash'; file: string };

/** after the run that started this node is gone, how long a graceful stop may take */
const PARENT_GONE_GRACE_MS = 5000;

// The run that started this node may die (even by SIGKILL, which runs none of its hooks): the node
// must not outlive it. Heard from the first instant, not once the server is up: a node started
// while the population is seeded could miss the disconnect and run on. Before the server is up
// there is nothing to close.
let onParentGone: () => void = () => process.exit(0);
if (process.send) {
  process.on('disconnect', () => onParentGone());
  if (!process.connected) onParentGone();
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CHATBENCH_NODE_CONFIG ?? '{}') as NodeProcessConfig;
  for (const path of config.modelModules ?? []) await loadModelModule(path);
  const definition = getModel(config.model);
  // Postgres going away is reported once, by the run; anything else about the pool is logged here
  const pool = tolerateIdleErrors(new pg.Pool({ connectionString: config.dbUrl, max: config.poolSize }), (error) => {
    if (!isConnectionLoss(error)) process.stderr.write(`node ${config.nodeId}: pool: ${error.message}\n`);
  });
  const sessions = config.redisUrl
    ? await RedisSessions.start({ ...config.cluster, url: config.redisUrl, nodeId: config.nodeId, ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}) })
    : undefined;
  let modelRedis: Redis | undefined;
  if (definition.capabilities.redis) {
    if (!config.redisUrl) throw new Error(`model ${definition.id} keeps its state in Redis, and this node was given none`);
    modelRedis = await connectRedis(config.redisUrl, `chatbench-model-${config.nodeId}`);
  }
  const server = await startChatServer({
    ...(sessions ? { sessions } : {}),
    ...(modelRedis ? { redis: modelRedis } : {}),
    model: definition,
    ...(config.modelOptions ? { modelOptions: config.modelOptions } : {}),
    pool,
    secret: config.secret,
    host: config.host,
    port: config.port,
    nodeId: config.nodeId,
    // a lost Postgres fails every request in flight: the run reports it, once, not each of them
    log: (line) => {
      if (!isConnectionLoss({ message: line })) process.stderr.write(`node ${config.nodeId}: ${line}\n`);
    },
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    // ending the pool ends its backends, which is when Postgres flushes their statistics
    await pool.end();
    modelRedis?.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (message: NodeControlMessage) => {
    if (message.type === 'stop') void stop();
    else if (message.type === 'drain') {
      server.drain().then(
        () => tell({ type: 'drained', id: message.id } satisfies NodeProcessMessage),
        (error: unknown) => tell({ type: 'drained', id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies NodeProcessMessage),
      );
    } else if (message.type === 'crash') {
      // synchronous from the snapshot to the signal: no frame, ack or flush runs in between, so
      // the counters and the model's pending window are exactly what dies with the process
      writeFileSync(message.file, JSON.stringify(server.metrics()));
      process.kill(process.pid, 'SIGKILL');
    }
  });
  onParentGone = () => {
    // nobody reads this node's figures any more: a stop that hangs on a dead database is cut short
    setTimeout(() => process.exit(0), PARENT_GONE_GRACE_MS).unref();
    void stop();
  };
  tell({ type: 'listening', port: server.port } satisfies NodeProcessMessage);
}

main().catch((error: unknown) => {
  tell({ type: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies NodeProcessMessage);
  process.exit(1);
});
