// The shared client after a failover, on a scripted transport: what it sends again is reported
// as resends (the server counts their statements, the clients do not count them as actions).
import { describe, expect, it } from 'vitest';
import { SimClient, type ClientSink } from '../../drivers/client/sim-client.ts';
import { emptyReceiptLog } from '../../drivers/client/receipts.ts';
import type { ClientSocket, SocketEvents, Transport } from '../../drivers/client/transport.ts';
import type { ClientFrame, ServerFrame } from '../../reference-server/protocol.ts';

/** A node that answers `sync` at once and acks sends unless told to hold them. */
class ScriptedNode implements Transport {
  readonly sent: { url: string; frame: ClientFrame }[] = [];
  holdSends = false;
  private open: { socket: ClientSocket & { isOpen: boolean; isClosed: boolean }; events: SocketEvents } | undefined;
  private seq = 0;

  async connect(url: string, events: SocketEvents): Promise<ClientSocket> {
    const node = this;
    const socket = {
      isOpen: true,
      isClosed: false,
      send(text: string) {
        const frame = JSON.parse(text) as ClientFrame;
        node.sent.push({ url, frame });
        queueMicrotask(() => node.answer(frame));
      },
      close() {
        node.drop(1000);
      },
    };
    this.open = { socket, events };
    return socket;
  }

  /** the node dies: the socket closes under the client */
  drop(code = 1006): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    open.socket.isOpen = false;
    open.socket.isClosed = true;
    open.events.onClosed(open.socket, code);
  }

  push(frame: ServerFrame): void {
    this.open?.events.onText(this.open.socket, JSON.stringify(frame));
  }

  private answer(frame: ClientFrame): void {
    if (frame.type === 'sync') {
      this.push({ type: 'conversations', items: [{ id: 5, kind: 'direct', members: 2, lastSeq: this.seq }] } as ServerFrame);
      this.push({ type: 'synced', statusCursor: 0 } as ServerFrame);
    } else if (frame.type === 'send' && !this.holdSends) {
      this.push({ type: 'ack', tempId: frame.tempId, conversationId: frame.conversationId, seq: ++this.seq, duplicate: false });
    } else if (frame.type === 'ping') {
      this.push({ type: 'pong' });
    }
  }
}

function recordingSink() {
  const resent: string[] = [];
  const counted: string[] = [];
  const sink: ClientSink = {
    latency: () => {},
    count: (action) => counted.push(action),
    error: () => {},
    recovered: () => {},
    resent: (action) => resent.push(action),
  };
  return { sink, resent, counted };
}

describe('the shared client fails over', () => {
  it('resends an unacked send and its last delivered and read acks, and reports them as resends, not actions', async () => {
    const node = new ScriptedNode();
    const { sink, resent, counted } = recordingSink();
    const client = new SimClient(1, ['ws://a', 'ws://b'], 'token', { transport: node, cachesSettings: true, sink, receipts: emptyReceiptLog() });
    await client.run({ op: 'connect' }, Date.now());
    // a message from the peer arrives: the client acks delivery (cumulative), then reads it
    node.push({ type: 'msg', conversationId: 5, seq: 1, senderId: 2, tempId: 't', body: '{"s":0}', sentAt: 0 } as ServerFrame);
    await client.run({ op: 'open', conversationId: 5 }, Date.now());
    node.holdSends = true;
    const sending = client.run({ op: 'send', conversationId: 5, at: [0] }, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = [...counted];
    node.holdSends = false;
    node.drop();
    await sending;
    await client.settle();
    expect(resent.sort()).toEqual(['deliver', 'read', 'send']);
    // the failover itself is a reconnect; the resent frames are not actions again
    expect(counted.slice(before.length)).toEqual(['reconnect']);
    const afterDrop = node.sent.filter((entry) => entry.url.startsWith('ws://b/')).map((entry) => entry.frame.type);
    expect(afterDrop).toEqual(['sync', 'send', 'open_conversation', 'delivered', 'read', 'ping']);
  });
});
