// What the shared client needs from a WebSocket implementation, and nothing more: the Node
// driver gives it `ws`, the k6 driver `k6/websockets`. No Node or k6 imports here.

/** One open connection. */
export interface ClientSocket {
  send(text: string): void;
  close(): void;
  readonly isOpen: boolean;
  readonly isClosed: boolean;
}

/**
 * Where a socket's events go once it is open. The client itself implements this, so a transport
 * needs no closure per client: it calls the same object for every socket the client opens.
 */
export interface SocketEvents {
  onText(socket: ClientSocket, text: string): void;
  /** closed by either side after it opened */
  onClosed(socket: ClientSocket, code: number): void;
  /** an error on an open socket (a close follows) */
  onSocketError(socket: ClientSocket): void;
}

export interface Transport {
  /** resolves once the socket is open; rejects if it fails or closes before that */
  connect(url: string, events: SocketEvents): Promise<ClientSocket>;
}
