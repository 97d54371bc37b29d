// Client frames on the wire. A delivery ack leaves for every live message a client receives, so
// it is the one frame on the hot path: written by template rather than JSON.stringify (which
// walks the object generically). The bytes are the same: the same keys in the same order, and
// integers print alike either way. Anything else, or a delivery ack that is not plain integers,
// goes through JSON.stringify. No Node or k6 imports.
import type { ClientFrame } from '../../reference-server/protocol.ts';

export function encodeClientFrame(frame: ClientFrame): string {
  if (frame.type === 'delivered' && frame.ref === undefined && Number.isSafeInteger(frame.conversationId) && Number.isSafeInteger(frame.upToSeq)) {
    return `{"type":"delivered","conversationId":${frame.conversationId},"upToSeq":${frame.upToSeq}}`;
  }
  return JSON.stringify(frame);
}
