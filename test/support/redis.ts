// Redis for a test file: its own redis-server on a free loopback port (so a test may stop and
// restart it), or CHATBENCH_REDIS_URL when set. Every caller gets a distinct key prefix, so files
// and tests sharing one Redis never see each other's keys. A missing redis-server fails the file.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { redisServerBinary, startRedisServer, type RedisServerHandle } from '../../reference-server/cluster/redis-server.ts';
import { requireTool } from './tools.ts';

export interface TestRedis {
  url: string;
  /** present when this file owns the server (it may stop and restart it) */
  server: RedisServerHandle | undefined;
  prefix(): string;
}

// Registered when this module loads, i.e. while the importing file is collected: an afterAll
// registered later, from inside a beforeAll (where testRedis is called), is never run, which is
// how every run of the suite used to leave its redis-servers behind.
const started: RedisServerHandle[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});
// a worker killed on a timeout still takes its servers with it
process.once('exit', () => {
  for (const server of started) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts a redis-server that is stopped after the file, whatever the tests do with it. */
export async function ownedRedisServer(options: { port?: number } = {}): Promise<RedisServerHandle> {
  const server = await startRedisServer(options);
  started.push(server);
  return server;
}

export async function testRedis(options: { own?: boolean } = {}): Promise<TestRedis> {
  let server: RedisServerHandle | undefined;
  let url = process.env.CHATBENCH_REDIS_URL;
  if (options.own || !url) {
    requireTool('redis-server', redisServerBinary() ? undefined : 'not on PATH and REDIS_SERVER_BIN unset');
    server = await ownedRedisServer();
    url = server.url;
  }
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  return { url: url!, server, prefix: () => `chatbench-test:${run}:${++counter}:` };
}
