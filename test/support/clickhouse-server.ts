// A real ClickHouse server for tests: the distribution's clickhouse-server (scripts/install-test-deps.sh installs it),
// started on loopback on free ports with its own config and data in a temp dir, stopped after.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordChildPid } from '../../reference-server/child-pids.ts';
import { INSTALL_COMMAND, MissingToolError } from './tools.ts';

// a worker that dies (a timed-out file) takes its servers with it; the global teardown fails the
// suite for any that are left anyway
const liveServers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL');
});

export interface ClickhouseServer {
  url: string;
  dataDir: string;
  /** stops the process (data kept until `remove`) */
  stop(): Promise<void>;
  /** starts it again on the same ports and data */
  start(): Promise<void>;
  remove(): Promise<void>;
}

const BINARIES = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse'];

export function findClickhouseBinary(): { command: string; args: string[] } {
  for (const path of BINARIES) {
    if (!existsSync(path)) continue;
    return path.endsWith('/clickhouse') ? { command: path, args: ['server'] } : { command: path, args: [] };
  }
  throw new MissingToolError(`clickhouse-server is required by this test file and is missing (looked at ${BINARIES.join(', ')}); install it with ${INSTALL_COMMAND}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startClickhouseServer(): Promise<ClickhouseServer> {
  const binary = findClickhouseBinary();
  const root = mkdtempSync(join(tmpdir(), 'chatbench-clickhouse-'));
  const dataDir = join(root, 'data');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const [httpPort, tcpPort, interserverPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(root, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  writeFileSync(
    join(root, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${root}/server.log</log><errorlog>${root}/server.err.log</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interserverPort}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dataDir}/</path>
  <tmp_path>${root}/tmp/</tmp_path>
  <users_config>${root}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    let output = '';
    child = spawn(binary.command, [...binary.args, `--config-file=${join(root, 'config.xml')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    liveServers.add(child);
    recordChildPid(child.pid, 'clickhouse-server');
    child.once('exit', function (this: ChildProcess) {
      liveServers.delete(this);
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}: ${output.slice(-2000)}`);
      try {
        const response = await fetch(`${url}/ping`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer on ${url} within 30 s: ${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    dataDir,
    start,
    stop,
    async remove() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
