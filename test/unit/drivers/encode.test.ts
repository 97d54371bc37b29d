// The hand-written delivery ack must be byte for byte what JSON.stringify wrote before it: the
// server parses either, but the bench and the wire must not change with the encoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeClientFrame } from '../../../drivers/client/encode.ts';
import type { ClientFrame } from '../../../reference-server/protocol.ts';

describe('encodeClientFrame', () => {
  it('writes a delivery ack exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (conversationId, upToSeq) => {
        const frame: ClientFrame = { type: 'delivered', conversationId, upToSeq };
        expect(encodeClientFrame(frame)).toBe(JSON.stringify(frame));
      }),
    );
  });

  it('leaves every other frame, and acks that are not plain integers, to JSON.stringify', () => {
    const frames: ClientFrame[] = [
      { type: 'delivered', conversationId: 1, upToSeq: 2, ref: 'x' },
      { type: 'delivered', conversationId: 1, upToSeq: 1.5 },
      { type: 'delivered', conversationId: Number.NaN, upToSeq: 2 },
      { type: 'read', conversationId: 1, upToSeq: 2 },
      { type: 'send', tempId: '10-1', conversationId: 1, body: '{"s":1}' },
      { type: 'sync', statusCursor: 3, lastSeqs: { '1': 4 } },
      { type: 'ping' },
    ];
    for (const frame of frames) expect(encodeClientFrame(frame)).toBe(JSON.stringify(frame));
  });
});
