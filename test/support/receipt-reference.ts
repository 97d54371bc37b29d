// The receipt semantics both models must agree with, as a pure model: per member a delivered and
// a read mark, moved by cumulative acks clamped to the conversation's last seq at ack time.
import type { Tick } from '../../reference-server/protocol.ts';

export type ReferenceOp =
  | { op: 'send'; sender: number }
  | { op: 'delivered' | 'read'; userId: number; upToSeq: number };

export interface ReferenceState {
  members: number[];
  lastSeq: number;
  /** seq -> sender */
  senders: Map<number, number>;
  marks: Map<number, { delivered: number; read: number }>;
}

export function initialState(members: number[]): ReferenceState {
  return { members, lastSeq: 0, senders: new Map(), marks: new Map(members.map((member) => [member, { delivered: 0, read: 0 }])) };
}

/** applies one op; returns the seq a send was given */
export function applyOp(state: ReferenceState, op: ReferenceOp): number | undefined {
  if (op.op === 'send') {
    state.lastSeq += 1;
    state.senders.set(state.lastSeq, op.sender);
    return state.lastSeq;
  }
  const mark = state.marks.get(op.userId)!;
  const clamped = Math.min(op.upToSeq, state.lastSeq);
  // a read implies delivery; an older ack is a no-op
  mark.delivered = Math.max(mark.delivered, clamped);
  if (op.op === 'read') mark.read = Math.max(mark.read, clamped);
  return undefined;
}

export function referenceTicks(state: ReferenceState): Map<number, Tick> {
  const ticks = new Map<number, Tick>();
  for (const [seq, sender] of state.senders) {
    const others = state.members.filter((member) => member !== sender).map((member) => state.marks.get(member)!);
    ticks.set(seq, others.every((mark) => mark.read >= seq) ? 'read' : others.every((mark) => mark.delivered >= seq) ? 'delivered' : 'sent');
  }
  return ticks;
}

/** "read by X": members other than the sender whose read mark covers the seq */
export function referenceReadBy(state: ReferenceState, seq: number): number {
  const sender = state.senders.get(seq);
  return state.members.filter((member) => member !== sender && state.marks.get(member)!.read >= seq).length;
}
