// A throwaway redis-server for a run or a test: loopback only, no persistence, on a free port
// (or a given one, to restart "the same" Redis after an outage), stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { recordChildPid } from '../child-pids.ts';

export const REDIS_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  startTimeoutMs: 10_000,
  stopTimeoutMs: 5_000,
};

export interface RedisServerHandle {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL if it lingers; resolves when the process is gone */
  stop(): Promise<void>;
  /** SIGKILL: Redis lost abruptly (fault injection) */
  kill(): Promise<void>;
}

/** The redis-server binary: REDIS_SERVER_BIN, else the first on PATH; undefined when absent. */
export function redisServerBinary(): string | undefined {
  const candidates = [process.env.REDIS_SERVER_BIN, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function freePort(host = REDIS_SERVER_DEFAULTS.host): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(options: { port?: number; binary?: string } = {}): Promise<RedisServerHandle> {
  const binary = options.binary ?? redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed (set REDIS_SERVER_BIN or put it on PATH)');
  const host = REDIS_SERVER_DEFAULTS.host;
  const port = options.port ?? (await freePort(host));
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  recordChildPid(child.pid, 'redis-server');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://${host}:${port}`;
  const deadline = Date.now() + REDIS_SERVER_DEFAULTS.startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited during start-up: ${stderr.trim()}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer within ${REDIS_SERVER_DEFAULTS.startTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    port,
    pid: child.pid!,
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), REDIS_SERVER_DEFAULTS.stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 500 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
