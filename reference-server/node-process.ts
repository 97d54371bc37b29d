// A reference-server node as its own process, so the load generator and the server never share
// an event loop. Configured through CHATBENCH_NODE_CONFIG; reports its port over IPC; stops on
// SIGTERM/SIGINT (or a "stop" message) after closing sockets and its pool.
import pg from 'pg';
import { RedisSessions, type ClusterOptions } from './cluster/redis-sessions.ts';
import { getModel } from './models/registry.ts';
import { startChatServer } from './server.ts';

export interface NodeProcessConfig {
  model: string;
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

export type NodeProcessMessage = { type: 'listening'; port: number } | { type: 'failed'; error: string };

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CHATBENCH_NODE_CONFIG ?? '{}') as NodeProcessConfig;
  const pool = new pg.Pool({ connectionString: config.dbUrl, max: config.poolSize });
  pool.on('error', (error) => process.stderr.write(`node ${config.nodeId}: pool: ${error.message}\n`));
  const sessions = config.redisUrl
    ? await RedisSessions.start({ ...config.cluster, url: config.redisUrl, nodeId: config.nodeId, ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}) })
    : undefined;
  const server = await startChatServer({
    ...(sessions ? { sessions } : {}),
    model: getModel(config.model),
    pool,
    secret: config.secret,
    host: config.host,
    port: config.port,
    nodeId: config.nodeId,
    log: (line) => process.stderr.write(`node ${config.nodeId}: ${line}\n`),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    // ending the pool ends its backends, which is when Postgres flushes their statistics
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'listening', port: server.port } satisfies NodeProcessMessage);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies NodeProcessMessage);
  process.exit(1);
});
