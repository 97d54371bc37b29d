// Redis for a test file: its own redis-server on a free loopback port when the binary is here
// (so a test may stop and restart it), else CHATBENCH_REDIS_URL. Every caller gets a distinct key
// prefix, so files and tests sharing one Redis never see each other's keys.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { redisServerBinary, startRedisServer, type RedisServerHandle } from '../../reference-server/cluster/redis-server.ts';

export interface TestRedis {
  url: string;
  /** present when this file owns the server (it may stop and restart it) */
  server: RedisServerHandle | undefined;
  prefix(): string;
}

export const redisAvailable = redisServerBinary() !== undefined || process.env.CHATBENCH_REDIS_URL !== undefined;

export async function testRedis(options: { own?: boolean } = {}): Promise<TestRedis> {
  let server: RedisServerHandle | undefined;
  let url = process.env.CHATBENCH_REDIS_URL;
  if (redisServerBinary() && (options.own || !url)) {
    server = await startRedisServer();
    url = server.url;
    afterAll(() => server?.stop());
  }
  if (!url) throw new Error('no redis-server binary and no CHATBENCH_REDIS_URL');
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  return { url, server, prefix: () => `chatbench-test:${run}:${++counter}:` };
}
