// What counts as Postgres going away (retried for safe work, reported once by a run) and what
// does not (a real error in a statement must surface as itself).
import { describe, expect, it } from 'vitest';
import { isConnectionLoss, retryWhileAway } from '../../reference-server/db/connection-loss.ts';

describe('isConnectionLoss', () => {
  it.each([
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '57P03', message: 'the database system is starting up' }],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('Client has encountered a connection error and is not queryable')],
    [{ message: 'user 7: read ECONNRESET' }],
    [{ message: 'wrapped', cause: { code: '57P01' } }],
  ])('recognises %j', (error) => {
    expect(isConnectionLoss(error)).toBe(true);
  });

  it.each([[{ code: '23505', message: 'duplicate key value violates unique constraint' }], [new Error('syntax error at or near "SELEC"')], [undefined], ['text']])('leaves %j alone', (error) => {
    expect(isConnectionLoss(error)).toBe(false);
  });
});

describe('retryWhileAway', () => {
  it('repeats work while the server is away, then returns its result', async () => {
    let calls = 0;
    const result = await retryWhileAway(async () => {
      if (++calls < 3) throw Object.assign(new Error('the database system is starting up'), { code: '57P03' });
      return 'dropped';
    }, { attempts: 5, delayMs: 0 });
    expect(result).toBe('dropped');
    expect(calls).toBe(3);
  });

  it('does not repeat other failures, and gives up after its attempts', async () => {
    let calls = 0;
    await expect(retryWhileAway(async () => {
      calls++;
      throw new Error('permission denied');
    }, { attempts: 5, delayMs: 0 })).rejects.toThrow('permission denied');
    expect(calls).toBe(1);
    await expect(retryWhileAway(async () => {
      throw Object.assign(new Error('gone'), { code: 'ECONNREFUSED' });
    }, { attempts: 2, delayMs: 0 })).rejects.toThrow('gone');
  });
});
