// Starts and stops reference-server node processes for a run.
import type { ChildProcess } from 'node:child_process';
import { forkTs } from './fork-ts.ts';
import { fileURLToPath } from 'node:url';
import type { NodeProcessConfig, NodeProcessMessage } from './node-process.ts';
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
}

export async function launchNode(config: NodeProcessConfig): Promise<NodeHandle> {
  const child: ChildProcess = forkTs(ENTRY, {
    env: { ...process.env, CHATBENCH_NODE_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: NodeProcessMessage) => {
      if (message.type === 'listening') resolve(message.port);
      else reject(new Error(`reference server ${config.nodeId} failed to start: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`reference server ${config.nodeId} exited with code ${code} during start-up`)));
  });
  const httpUrl = `http://${config.host}:${port}`;
  return {
    nodeId: config.nodeId,
    url: `ws://${config.host}:${port}`,
    httpUrl,
    pid: child.pid!,
    async metrics() {
      const response = await fetch(`${httpUrl}/metrics`);
      if (!response.ok) throw new Error(`metrics of ${config.nodeId}: HTTP ${response.status}`);
      return (await response.json()) as NodeMetricsSnapshot;
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
  };
}
