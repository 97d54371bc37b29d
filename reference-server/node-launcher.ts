// Starts and stops reference-server node processes for a run.
import type { ChildProcess, ForkOptions } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkBundled } from './child-bundle.ts';
import { forkTs } from './fork-ts.ts';
import { warmNode } from './node-requests.ts';
import { fileURLToPath } from 'node:url';
import type { NodeControlMessage, NodeProcessConfig, NodeProcessMessage } from './node-process.ts';
import type { NodeMetricsSnapshot } from './server.ts';

const ENTRY = fileURLToPath(new URL('./node-process.ts', import.meta.url));

export interface NodeHandle {
  nodeId: string;
  url: string;
  httpUrl: string;
  pid: number;
  metrics(): Promise<NodeMetricsSnapshot>;
  resetTimeline(): Promise<void>;
  /** stops gracefully (sockets, pool) and waits for the process to exit */
  stop(): Promise<void>;
  /** SIGKILL: a crashed node, for fault injection */
  kill(): Promise<void>;
  /**
   * SIGKILL with the node's counters taken in the same instant (the node writes them and kills
   * itself without returning to its event loop): what it did and what its model still buffered
   * are exactly what died, not what it held a round trip earlier.
   */
  crash(): Promise<NodeMetricsSnapshot>;
  /** the node's model writes what it buffers to Postgres; resolves when it is there */
  drain(): Promise<void>;
  /** the node loads these users' conversations as their logins would have (counted as setup) */
  warm(userIds: number[]): Promise<void>;
  readonly alive: boolean;
}

export async function launchNode(config: NodeProcessConfig): Promise<NodeHandle> {
  const forkOptions: ForkOptions = { env: { ...process.env, CHATBENCH_NODE_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  // a model module loaded at run time (a TypeScript file of the user's) needs tsx in the node
  const child: ChildProcess = config.modelModules?.length ? forkTs(ENTRY, forkOptions) : await forkBundled(ENTRY, forkOptions);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: NodeProcessMessage) => {
      if (message.type === 'listening') resolve(message.port);
      else reject(new Error(`reference server ${config.nodeId} failed to start: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`reference server ${config.nodeId} exited with code ${code} during start-up`)));
  });
  const httpUrl = `http://${config.host}:${port}`;
  let nextRequest = 0;
  const drains = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  child.on('message', (message: NodeProcessMessage) => {
    if (message.type !== 'drained') return;
    const waiter = drains.get(message.id);
    drains.delete(message.id);
    if (message.error) waiter?.reject(new Error(`node ${config.nodeId}: drain failed: ${message.error}`));
    else waiter?.resolve();
  });
  void exited.then(() => {
    for (const waiter of drains.values()) waiter.reject(new Error(`node ${config.nodeId} exited before its model was drained`));
    drains.clear();
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const control = (message: NodeControlMessage) => child.send(message);
  return {
    get alive() {
      return alive();
    },
    nodeId: config.nodeId,
    url: `ws://${config.host}:${port}`,
    httpUrl,
    pid: child.pid!,
    async metrics() {
      const response = await fetch(`${httpUrl}/metrics`);
      if (!response.ok) throw new Error(`metrics of ${config.nodeId}: HTTP ${response.status}`);
      return (await response.json()) as NodeMetricsSnapshot;
    },
    warm(userIds) {
      return warmNode(httpUrl, userIds);
    },
    async resetTimeline() {
      await fetch(`${httpUrl}/metrics/reset-timeline`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async crash() {
      const dir = await mkdtemp(join(tmpdir(), 'chatbench-crash-'));
      const file = join(dir, 'snapshot.json');
      try {
        control({ type: 'crash', file });
        await exited;
        return JSON.parse(await readFile(file, 'utf8')) as NodeMetricsSnapshot;
      } catch (error) {
        throw new Error(`node ${config.nodeId} died without its crash snapshot: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    drain() {
      if (!alive()) return Promise.resolve();
      const id = ++nextRequest;
      return new Promise<void>((resolve, reject) => {
        drains.set(id, { resolve, reject });
        control({ type: 'drain', id });
      });
    },
  };
}
