// The handshake gate: never more than its limit in flight, every waiter served in order, and a
// failed operation frees its slot.
import { describe, expect, it } from 'vitest';
import { Gate } from '../../../drivers/client/gate.ts';

describe('Gate', () => {
  it('holds at most `limit` operations in flight and serves waiters in arrival order', async () => {
    const gate = new Gate(3);
    const releases: (() => void)[] = [];
    const started: number[] = [];
    let peak = 0;
    const runs = Array.from({ length: 10 }, (_, index) =>
      gate.run(async () => {
        started.push(index);
        peak = Math.max(peak, gate.inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        return index;
      }),
    );
    for (let released = 0; released < 10; released++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toHaveLength(Math.min(10, released + 3));
      releases[released]!();
    }
    expect(await Promise.all(runs)).toEqual([...Array(10).keys()]);
    expect(started).toEqual([...Array(10).keys()]);
    expect(peak).toBe(3);
    expect(gate.inFlight).toBe(0);
  });

  it('frees the slot of an operation that fails', async () => {
    const gate = new Gate(1);
    await expect(gate.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.inFlight).toBe(0);
  });
});
