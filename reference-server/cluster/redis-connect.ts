// Opening a Redis connection for the cluster: fail fast with the URL when Redis is not there at
// start, then keep reconnecting for as long as the node lives (an outage is survived, not fatal).
import { Redis } from 'ioredis';
import { redactUrl } from '../db/postgres.ts';

export const REDIS_CONNECT_DEFAULTS = {
  connectTimeoutMs: 2000,
  /** backoff between reconnect attempts after the first connection: grows to this ceiling */
  maxRetryDelayMs: 500,
};

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * A connected client. Commands fail at once while disconnected (no offline queue): a frame that
 * needs Redis then errors for its client instead of waiting unboundedly.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  let connectedOnce = false;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: REDIS_CONNECT_DEFAULTS.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (times) => (connectedOnce ? Math.min(times * 50, REDIS_CONNECT_DEFAULTS.maxRetryDelayMs) : null),
  });
  // without a listener an outage would be an unhandled 'error' event; callers watch 'close'
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // "Connection is closed" says less than the socket error behind it (ECONNREFUSED, ...)
    const reason = lastError ?? error;
    throw new RedisUnavailableError(`Redis at ${redactUrl(url)} is not reachable: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  connectedOnce = true;
  return redis;
}

/** Checks that Redis answers at `url` (for a clear error before any process starts). */
export async function checkRedis(url: string): Promise<void> {
  const redis = await connectRedis(url, 'chatbench-check');
  redis.disconnect();
}
