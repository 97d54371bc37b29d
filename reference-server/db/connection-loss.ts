// Postgres going away under a run (a restart, a failover, a crash): how it is recognised, and
// what may be retried. Reconnecting is safe for statements that are idempotent (dropping the
// run's own database); a model's measured run is not (its counters would mix two servers' work).
import pg from 'pg';

/** SQLSTATEs of a server shutting down or not accepting connections yet */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const MESSAGES = /Connection terminated|the database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command|Client has encountered a connection error|Connection ended unexpectedly|\b(connect|read|write) (ECONNREFUSED|ECONNRESET|EPIPE)\b/i;

export function isConnectionLoss(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') break;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SERVER_GONE_CODES.has(code) || SOCKET_CODES.has(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A pool or client whose server goes away emits `error`; with no listener that is an uncaught
 * exception that kills the process with a dump of the client. The loss surfaces anyway, as the
 * failure of the next query, which is where the run handles it.
 */
export function tolerateIdleErrors<T extends pg.Pool | pg.Client>(target: T, onError: (error: Error) => void = () => {}): T {
  (target as pg.Client).on('error', onError);
  // a pool's `error` covers its idle clients only: a client checked out (between the statements
  // of a transaction) emits on itself, so every client the pool makes gets a listener too
  if (target instanceof pg.Pool) target.on('connect', (client) => client.on('error', onError));
  return target;
}

export const RETRY_DEFAULTS = { attempts: 30, delayMs: 1000 };

/** Runs `work` again while Postgres is away; only for work that is safe to repeat. */
export async function retryWhileAway<T>(work: () => Promise<T>, options = RETRY_DEFAULTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= options.attempts || !isConnectionLoss(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
  }
}
