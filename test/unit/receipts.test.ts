// Receipt matching across processes (drivers/client/receipts.ts): pure, on hand-built logs.
import { describe, expect, it } from 'vitest';
import { ALL_READERS, emptyReceiptLog, matchReceipts, type ReceiptLogPart } from '../../drivers/client/receipts.ts';

function part(fill: (log: ReceiptLogPart) => void): ReceiptLogPart {
  const log = emptyReceiptLog();
  fill(log);
  return log;
}

describe('receipt matching', () => {
  it('times a read in one process against its sender in another, to the advance that covers the last message read', () => {
    // reader 2 (process A) reads conversation 7 through seq 5 at t=1000; sender 1 (process B) owns 2, 4, 6
    const reader = part((log) => log.reads.push(7, 2, 0, 5, 1000));
    const sender = part((log) => {
      log.own.push(7, 1, 3, 2, 4, 6);
      // naive: statuses arrive one by one; through 2 is not enough, through 4 (the last own <= 5) is
      log.seen.push(7, 1, 2, 2, 1030, 7, 1, 2, 4, 1045, 7, 1, 2, 6, 1100);
    });
    expect(matchReceipts([reader, sender])).toEqual({ receipts: [{ valueMs: 45, at: 1045 }], missing: 0, examples: [] });
    // the same logs in the other order match the same
    expect(matchReceipts([sender, reader]).receipts).toEqual([{ valueMs: 45, at: 1045 }]);
  });

  it('takes a reconnect catch-up for every reader (a watermark floor) when it comes first', () => {
    const log = part((entry) => {
      entry.reads.push(3, 9, 0, 10, 500);
      entry.own.push(3, 8, 2, 9, 10);
      entry.seen.push(3, 8, ALL_READERS, 10, 900, 3, 8, 9, 10, 950);
    });
    expect(matchReceipts([log]).receipts).toEqual([{ valueMs: 400, at: 900 }]);
  });

  it('skips senders with nothing in the range and the reader itself; counts what never arrived', () => {
    const log = part((entry) => {
      // reader 2 reads (4, 8]; sender 1 owns 1..3 (before the range), 3 owns 6, reader 2 owns 5
      entry.reads.push(5, 2, 4, 8, 100);
      entry.own.push(5, 1, 3, 1, 2, 3, 5, 3, 1, 6, 5, 2, 1, 5);
      // sender 3 saw reader 2 only through 5: not through its 6
      entry.seen.push(5, 3, 2, 5, 150);
    });
    const match = matchReceipts([log]);
    expect(match.receipts).toEqual([]);
    expect(match.missing).toBe(1);
    expect(match.examples).toEqual(["receipt never arrived: user 3 did not see user 2's read of conversation 5 through seq 6"]);
  });

  it('one read covering several senders of a group gives one receipt per sender', () => {
    const log = part((entry) => {
      entry.reads.push(1, 4, 0, 3, 0);
      entry.own.push(1, 1, 1, 1, 1, 2, 1, 2, 1, 3, 1, 3);
      entry.seen.push(1, 1, 4, 3, 10, 1, 2, 4, 3, 20, 1, 3, 4, 3, 30);
    });
    expect(matchReceipts([log]).receipts.map((receipt) => receipt.valueMs)).toEqual([10, 20, 30]);
  });
});
