// Each server node holds one socket per client connected to it, and a process may hold only so
// many open files (`ulimit -n`, inherited by the nodes this process starts). A run whose share of
// clients per node exceeds that would fail mid-storm with EMFILE; it is refused before it starts.
import { execFileSync } from 'node:child_process';
import { placeClients } from '../scenarios/placement.ts';
import type { Plan } from '../scenarios/plan.ts';

/** descriptors a node needs besides its clients: the database pool, Redis, stdio, the module files */
export const NODE_FILE_HEADROOM = 512;

/**
 * The open-file limit the nodes will have; undefined when unlimited or unknown. Node raises its
 * soft limit to the hard one at start-up, so a shell started from here reports what a node gets.
 */
export function openFileLimit(): number | undefined {
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    const limit = Number(text);
    return Number.isInteger(limit) && limit > 0 ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** Per node, the most clients one phase connects to it (clients of a phase are connected together). */
export function clientsPerNode(plan: Plan, nodes: number): number[] {
  const placement = placeClients(plan, nodes);
  const peak = Array.from({ length: nodes }, () => 0);
  for (const phase of plan.phases) {
    const count = Array.from({ length: nodes }, () => 0);
    for (const script of phase.scripts) count[placement.get(script.userId) ?? 0]! += 1;
    for (let node = 0; node < nodes; node++) peak[node] = Math.max(peak[node]!, count[node]!);
  }
  return peak;
}

/** One line naming `--nodes` when a node's share of clients would not fit its file limit. */
export function fileLimitProblem(plan: Plan, nodes: number, limit: number | undefined): string | undefined {
  if (limit === undefined) return undefined;
  const perNode = clientsPerNode(plan, nodes);
  const most = Math.max(...perNode);
  if (most + NODE_FILE_HEADROOM <= limit) return undefined;
  const total = perNode.reduce((sum, count) => sum + count, 0);
  const needed = Math.ceil(total / Math.max(1, limit - NODE_FILE_HEADROOM));
  return (
    `--nodes ${nodes}: a node would hold ${most} client sockets, over its open-file limit (ulimit -n ${limit}, ${NODE_FILE_HEADROOM} kept for the node itself); ` +
    `use --nodes ${Math.max(needed, nodes + 1)} or more, or raise ulimit -n`
  );
}
