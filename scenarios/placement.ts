// Which server node each client of a plan connects to. A multi-node run measures cross-node
// routing only if the two members of a direct chat sit on different nodes; `userId % nodes`
// gives that for pairs numbered 2k+1/2k+2 but not for every scenario (in mass-reconnect, user i
// and its peers are numbered apart, so half of its chats would stay on one node). Pure and
// deterministic: every load-generator process computes the same placement from the same plan.
import { planClients, type Plan } from './plan.ts';

/**
 * Greedy colouring of the direct-chat graph, breadth first from the lowest user id: each client
 * takes the first node, starting from `userId % nodes` shifted by its component's index, that none
 * of its already placed 1:1 peers holds (a bipartite graph, as every scenario's is, ends with no
 * 1:1 chat inside a node). The shift alternates sides between components, so in a scenario of
 * independent pairs (vacation-backlog) each node holds half the senders and half the recipients,
 * and losing one node hurts both roles. Group-only clients, and those whose 1:1 peers never
 * connect, keep `userId % nodes`, which spreads them evenly.
 */
export function placeClients(plan: Plan, nodes: number): Map<number, number> {
  const placement = new Map<number, number>();
  const clients = planClients(plan);
  if (nodes <= 1) {
    for (const userId of clients) placement.set(userId, 0);
    return placement;
  }
  const peers = new Map<number, number[]>();
  const connects = new Set(clients);
  for (const conversation of plan.conversations) {
    if (conversation.kind !== 'direct' || conversation.members.length !== 2) continue;
    const [a, b] = conversation.members as [number, number];
    // only clients that connect take part: a member that never connects (history imported in
    // bulk) would otherwise colour every connecting peer alike and put them all on one node
    if (!connects.has(a) || !connects.has(b)) continue;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const list = peers.get(from);
      if (list) list.push(to);
      else peers.set(from, [to]);
    }
  }
  const place = (userId: number, shift: number) => {
    const taken = new Set((peers.get(userId) ?? []).map((peer) => placement.get(peer)).filter((node) => node !== undefined));
    let node = (userId + shift) % nodes;
    for (let step = 0; step < nodes && taken.has(node); step++) node = (node + 1) % nodes;
    placement.set(userId, node);
  };
  let component = 0;
  for (const start of [...clients].sort((a, b) => a - b)) {
    if (placement.has(start)) continue;
    const shift = peers.has(start) ? component++ : 0;
    place(start, shift);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const userId = queue[head]!;
      for (const peer of peers.get(userId) ?? []) {
        if (placement.has(peer)) continue;
        place(peer, shift);
        queue.push(peer);
      }
    }
  }
  return placement;
}
