// Who is connected where. One node keeps this in memory; a cluster keeps the same interface
// over a shared registry and routes frames for users held by other nodes.
import type { ServerFrame } from './protocol.ts';

export interface ClientSocket {
  readonly userId: number;
  /** sends an already-serialised frame; returns the bytes written */
  sendText(text: string): number;
}

export interface SessionRegistry {
  register(socket: ClientSocket): void;
  unregister(socket: ClientSocket): void;
  /** delivers to every session of `userId` (any node); returns bytes written here or sent on */
  deliver(userId: number, frame: ServerFrame, text: string): Promise<number>;
  isOnline(userId: number): boolean;
  close(): Promise<void>;
}

export class LocalSessions implements SessionRegistry {
  private readonly byUser = new Map<number, Set<ClientSocket>>();

  register(socket: ClientSocket): void {
    let sockets = this.byUser.get(socket.userId);
    if (!sockets) this.byUser.set(socket.userId, (sockets = new Set()));
    sockets.add(socket);
  }

  unregister(socket: ClientSocket): void {
    const sockets = this.byUser.get(socket.userId);
    if (!sockets) return;
    sockets.delete(socket);
    if (sockets.size === 0) this.byUser.delete(socket.userId);
  }

  async deliver(userId: number, _frame: ServerFrame, text: string): Promise<number> {
    let bytes = 0;
    for (const socket of this.byUser.get(userId) ?? []) bytes += socket.sendText(text);
    return bytes;
  }

  isOnline(userId: number): boolean {
    return this.byUser.has(userId);
  }

  async close(): Promise<void> {
    this.byUser.clear();
  }
}
