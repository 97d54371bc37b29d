// A node lost mid-run: which node to kill, when, and what the run reports about it afterwards
// (how long until every dropped client was synced again; presence and routing figures).
import type { NodeHandle } from '../node-launcher.ts';
import type { NodeMetricsSnapshot } from '../server.ts';
import { CLUSTER_DEFAULTS } from './redis-sessions.ts';

/** `seconds` after the run starts, or after phase `phase` (1-based) starts */
export interface KillNodeAt {
  seconds: number;
  phase?: number;
}

/** Parses `--kill-node-at`: `S` or `P:S` (S seconds into phase P). Undefined means malformed. */
export function parseKillNodeAt(raw: string): KillNodeAt | undefined {
  const match = /^(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(raw.trim());
  if (!match) return undefined;
  const seconds = Number(match[2]);
  if (match[1] === undefined) return { seconds };
  const phase = Number(match[1]);
  return phase >= 1 ? { seconds, phase } : undefined;
}

export function formatKillNodeAt(at: KillNodeAt): string {
  return at.phase === undefined ? String(at.seconds) : `${at.phase}:${at.seconds}`;
}

export interface KilledNode {
  nodeId: string;
  /** epoch ms of the SIGKILL */
  killedAt: number;
  /** its counters just before the kill: what it did after that is lost with it */
  lastSnapshot: NodeMetricsSnapshot;
  clientsHeld: number;
}

/**
 * SIGKILLs the node holding the most connections (a crash that hurts). Its counters, and what its
 * model still buffered, are taken in the same instant as the kill, so its work still counts and
 * its lost window is exact. Statements it had in flight at that instant are not in them.
 */
export async function killBusiestNode(nodes: NodeHandle[]): Promise<KilledNode> {
  const snapshots = await Promise.all(nodes.map((node) => node.metrics()));
  let busiest = 0;
  snapshots.forEach((snapshot, index) => {
    if (snapshot.connections.open > snapshots[busiest]!.connections.open) busiest = index;
  });
  const node = nodes[busiest]!;
  const lastSnapshot = await node.crash();
  return { nodeId: node.nodeId, killedAt: Date.now(), lastSnapshot, clientsHeld: lastSnapshot.connections.open };
}

/**
 * Waits until a survivor has noticed the dead node's missing heartbeat and removed its sessions;
 * returns ms from the kill to then, or null if it did not happen in time.
 */
export async function awaitDeadNodeCleanup(survivors: NodeHandle[], killed: KilledNode): Promise<number | null> {
  const deadline = killed.killedAt + CLUSTER_DEFAULTS.nodeTtlMs + 3 * CLUSTER_DEFAULTS.heartbeatMs + 1000;
  for (;;) {
    const snapshots = await Promise.all(survivors.map((node) => node.metrics()));
    if (snapshots.some((snapshot) => (snapshot.registry?.dead_nodes_cleaned ?? 0) > 0)) return Date.now() - killed.killedAt;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RecoveryReport {
  killed_node: string;
  /** ms after the run started */
  killed_at_ms: number;
  clients_held: number;
  clients_dropped: number;
  /** kill -> the last dropped client synced again on a survivor */
  all_synced_ms: number | null;
  /** per dropped client: its socket dropping -> synced again */
  per_client_ms: { p50: number; p95: number; max: number } | null;
}

export function recoveryReport(killed: KilledNode, runStart: number, recoveries: { droppedAt: number; syncedAt: number }[]): RecoveryReport {
  const durations = recoveries.map((entry) => entry.syncedAt - entry.droppedAt).sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!;
  return {
    killed_node: killed.nodeId,
    killed_at_ms: killed.killedAt - runStart,
    clients_held: killed.clientsHeld,
    clients_dropped: recoveries.length,
    all_synced_ms: recoveries.length ? Math.max(...recoveries.map((entry) => entry.syncedAt)) - killed.killedAt : null,
    per_client_ms: durations.length ? { p50: at(0.5), p95: at(0.95), max: durations[durations.length - 1]! } : null,
  };
}

export interface PresenceReport {
  events: { connect: number; disconnect: number; open: number };
  bytes: { connect: number; disconnect: number; open: number };
  /** users who came online / went offline */
  transitions: { online: number; offline: number };
  /** presence frames pushed per user coming online / going offline */
  per_connect: number;
  per_disconnect: number;
}

export function presenceReport(snapshots: NodeMetricsSnapshot[]): PresenceReport {
  const report: PresenceReport = {
    events: { connect: 0, disconnect: 0, open: 0 },
    bytes: { connect: 0, disconnect: 0, open: 0 },
    transitions: { online: 0, offline: 0 },
    per_connect: 0,
    per_disconnect: 0,
  };
  for (const snapshot of snapshots) {
    for (const cause of ['connect', 'disconnect', 'open'] as const) {
      report.events[cause] += snapshot.presence?.[cause]?.events ?? 0;
      report.bytes[cause] += snapshot.presence?.[cause]?.bytes ?? 0;
    }
    report.transitions.online += snapshot.presenceTransitions?.online ?? 0;
    report.transitions.offline += snapshot.presenceTransitions?.offline ?? 0;
  }
  const ratio = (events: number, count: number) => (count ? Math.round((events / count) * 1000) / 1000 : 0);
  report.per_connect = ratio(report.events.connect, report.transitions.online);
  report.per_disconnect = ratio(report.events.disconnect, report.transitions.offline);
  return report;
}

/** the registries' own counters summed over nodes (routed frames, dead nodes cleaned up) */
export function registryReport(snapshots: NodeMetricsSnapshot[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const snapshot of snapshots) for (const [name, value] of Object.entries(snapshot.registry ?? {})) total[name] = (total[name] ?? 0) + value;
  return total;
}
