// Who is connected where, and who is watching whose presence. One node keeps this in memory
// (LocalSessions); a cluster keeps the same interface over Redis (cluster/redis-sessions.ts) and
// routes frames for users held by other nodes.
import type { ActionKind } from '../analysis/metric-names.ts';
import type { ServerFrame } from './protocol.ts';

export interface ClientSocket {
  readonly userId: number;
  /** sends an already-serialised frame; returns the bytes written */
  sendText(text: string): number;
}

export type PresenceStatus = { status: 'online' } | { status: 'offline'; lastSeen?: number };

/**
 * What a presence push is attributed to: the watched user's connect or disconnect, or the
 * watcher opening the chat (the current state, answered at once).
 */
export type PresenceCause = 'connect' | 'disconnect' | 'open';

/**
 * Frames the registry itself writes to local sockets: frames routed here from another node (the
 * action that caused them travels with them, so this node counts them under it) and presence.
 */
export interface DeliverySink {
  routed(frameType: ServerFrame['type'], action: ActionKind | undefined, bytes: number): void;
  presence(cause: PresenceCause, bytes: number): void;
}

export interface SessionRegistry {
  /** resolves once the session is visible to every node: only then may the client sync */
  register(socket: ClientSocket): Promise<void>;
  unregister(socket: ClientSocket): Promise<void>;
  /**
   * Delivers to every session of `userId`. Returns the bytes written to sockets of this node;
   * sessions on other nodes get the frame routed with `action`, and their node counts it.
   */
  deliver(userId: number, frame: ServerFrame, text: string, action?: ActionKind): Promise<number>;
  /** `socket` watches the presence of `peers` while conversation `conversationId` is open */
  watch(socket: ClientSocket, conversationId: number, peers: number[]): Promise<void>;
  unwatch(socket: ClientSocket, conversationId: number): Promise<void>;
  presenceOf(userId: number): Promise<PresenceStatus>;
  /** where frames the registry writes by itself are counted (set once by the server) */
  attach(sink: DeliverySink, onLost: (reason: string) => void): void;
  /** users who came online / went offline through this node */
  transitions?(): { online: number; offline: number };
  stats?(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * The sockets and presence watchers of this process. A cluster registry keeps one of these for
 * its local half, so what a node does with its own sockets is the same in both modes.
 */
export class LocalSessions implements SessionRegistry {
  private readonly byUser = new Map<number, Set<ClientSocket>>();
  /** watched user -> watcher socket -> conversations open on that socket showing the user */
  private readonly watchers = new Map<number, Map<ClientSocket, Set<number>>>();
  /** watcher socket -> conversation -> the peers it watches there */
  private readonly watching = new Map<ClientSocket, Map<number, number[]>>();
  private readonly lastSeen = new Map<number, number>();
  protected sink: DeliverySink | undefined;
  readonly counted = { online: 0, offline: 0 };

  transitions(): { online: number; offline: number } {
    return { ...this.counted };
  }

  attach(sink: DeliverySink, _onLost: (reason: string) => void): void {
    this.sink = sink;
  }

  /** adds the socket; true when it is the user's first socket on this node */
  addLocal(socket: ClientSocket): boolean {
    let sockets = this.byUser.get(socket.userId);
    const first = !sockets;
    if (!sockets) this.byUser.set(socket.userId, (sockets = new Set()));
    sockets.add(socket);
    return first;
  }

  /** removes the socket and what it watched; true when the user has no socket left on this node */
  removeLocal(socket: ClientSocket): { last: boolean; unwatched: number[] } {
    const unwatched: number[] = [];
    for (const conversationId of [...(this.watching.get(socket)?.keys() ?? [])]) unwatched.push(...this.unwatchLocal(socket, conversationId));
    const sockets = this.byUser.get(socket.userId);
    if (!sockets?.delete(socket)) return { last: false, unwatched };
    if (sockets.size === 0) this.byUser.delete(socket.userId);
    return { last: sockets.size === 0, unwatched };
  }

  hasLocal(userId: number): boolean {
    return this.byUser.has(userId);
  }

  localUsers(): number[] {
    return [...this.byUser.keys()];
  }

  localSockets(): ClientSocket[] {
    return [...this.byUser.values()].flatMap((sockets) => [...sockets]);
  }

  writeLocal(userId: number, text: string): number {
    let bytes = 0;
    for (const socket of this.byUser.get(userId) ?? []) bytes += socket.sendText(text);
    return bytes;
  }

  /** returns the peers nobody on this node watched before */
  watchLocal(socket: ClientSocket, conversationId: number, peers: number[]): number[] {
    let open = this.watching.get(socket);
    if (!open) this.watching.set(socket, (open = new Map()));
    if (open.has(conversationId)) return [];
    open.set(conversationId, peers);
    const fresh: number[] = [];
    for (const peer of peers) {
      let bySocket = this.watchers.get(peer);
      if (!bySocket) {
        this.watchers.set(peer, (bySocket = new Map()));
        fresh.push(peer);
      }
      let conversations = bySocket.get(socket);
      if (!conversations) bySocket.set(socket, (conversations = new Set()));
      conversations.add(conversationId);
    }
    return fresh;
  }

  /** returns the peers nobody on this node watches any more */
  unwatchLocal(socket: ClientSocket, conversationId: number): number[] {
    const open = this.watching.get(socket);
    const peers = open?.get(conversationId);
    if (!open || !peers) return [];
    open.delete(conversationId);
    if (open.size === 0) this.watching.delete(socket);
    const gone: number[] = [];
    for (const peer of peers) {
      const bySocket = this.watchers.get(peer);
      const conversations = bySocket?.get(socket);
      if (!bySocket || !conversations) continue;
      conversations.delete(conversationId);
      if (conversations.size === 0) bySocket.delete(socket);
      if (bySocket.size === 0) {
        this.watchers.delete(peer);
        gone.push(peer);
      }
    }
    return gone;
  }

  /** pushes a presence change of `userId` to every local socket that has a chat with it open */
  notifyPresence(userId: number, presence: PresenceStatus, cause: PresenceCause): void {
    for (const [socket, conversations] of this.watchers.get(userId) ?? []) {
      for (const conversationId of conversations) this.sendPresence(socket, conversationId, userId, presence, cause);
    }
  }

  sendPresence(socket: ClientSocket, conversationId: number, userId: number, presence: PresenceStatus, cause: PresenceCause): void {
    const frame: ServerFrame = { type: 'presence', conversationId, userId, ...presence };
    const bytes = socket.sendText(JSON.stringify(frame));
    if (bytes > 0) this.sink?.presence(cause, bytes);
  }

  async register(socket: ClientSocket): Promise<void> {
    if (!this.addLocal(socket)) return;
    this.counted.online += 1;
    this.notifyPresence(socket.userId, { status: 'online' }, 'connect');
  }

  async unregister(socket: ClientSocket): Promise<void> {
    if (!this.removeLocal(socket).last) return;
    const lastSeen = Date.now();
    this.counted.offline += 1;
    this.lastSeen.set(socket.userId, lastSeen);
    this.notifyPresence(socket.userId, { status: 'offline', lastSeen }, 'disconnect');
  }

  async deliver(userId: number, _frame: ServerFrame, text: string): Promise<number> {
    return this.writeLocal(userId, text);
  }

  async watch(socket: ClientSocket, conversationId: number, peers: number[]): Promise<void> {
    this.watchLocal(socket, conversationId, peers);
    for (const peer of peers) this.sendPresence(socket, conversationId, peer, await this.presenceOf(peer), 'open');
  }

  async unwatch(socket: ClientSocket, conversationId: number): Promise<void> {
    this.unwatchLocal(socket, conversationId);
  }

  async presenceOf(userId: number): Promise<PresenceStatus> {
    if (this.byUser.has(userId)) return { status: 'online' };
    const lastSeen = this.lastSeen.get(userId);
    return lastSeen === undefined ? { status: 'offline' } : { status: 'offline', lastSeen };
  }

  async close(): Promise<void> {
    this.byUser.clear();
    this.watchers.clear();
    this.watching.clear();
  }
}
