// POST /warm: a node told about users whose devices were restored offline (mass-reconnect's bulk
// history) serves their first sync at the cost of a returning user's, and counts the loading as
// setup; a bad body is refused with a message and loads nothing.
import { describe, expect, it } from 'vitest';
import type { Population } from '../../reference-server/db/seed.ts';
import type { ConversationMeta } from '../../reference-server/models/types.ts';
import { parseWarmBody } from '../../reference-server/warm.ts';
import { startTestServer } from '../support/server.ts';

const conversations: ConversationMeta[] = [
  { id: 1, kind: 'direct', members: [1, 3] },
  { id: 2, kind: 'direct', members: [2, 4] },
  { id: 3, kind: 'group', members: [1, 2, 3, 4] },
];
const population: Population = { users: [1, 2, 3, 4], conversations };

describe('POST /warm', () => {
  it('makes a first sync cost what a returning user sync costs, the loading counted as setup', async () => {
    const run = await startTestServer('naive', population);
    const url = `http://127.0.0.1:${run.server.port}/warm`;
    // user 2 logs in and out: from then on the node holds its conversations
    const returning = await run.connect(2);
    await returning.sync();
    returning.close();
    await returning.waitClosed();
    expect((await fetch(url, { method: 'POST', body: JSON.stringify([1]) })).status).toBe(204);
    expect(run.server.metrics().db.setup).toMatchObject({ statements: 2 });
    const cost = async (userId: number) => {
      const before = run.server.metrics().db.reconnect?.statements ?? 0;
      const client = await run.connect(userId);
      await client.sync({ statusCursor: 0, lastSeqs: {} });
      await client.settle();
      client.close();
      await client.waitClosed();
      return (run.server.metrics().db.reconnect?.statements ?? 0) - before;
    };
    const [warmed, back] = [await cost(1), await cost(2)];
    expect(warmed).toBe(back);
    // a user the node never heard of pays for reading its memberships on top (its conversations,
    // 1 and 3, came in with user 1's)
    expect(await cost(3)).toBe(back + 1);
    const truth = await run.finish();
    expect(truth.tuplesWritten).toBe(truth.appRowsWritten);
  });

  it('refuses a bad body with a message naming what is wrong, and loads nothing', async () => {
    const run = await startTestServer('naive', population);
    const url = `http://127.0.0.1:${run.server.port}/warm`;
    for (const [body, message] of [
      ['not json', 'not JSON'],
      ['{"userIds":[1]}', 'expected an array of user ids'],
      ['[1, -2]', '-2 is not a user id'],
      ['[1.5]', '1.5 is not a user id'],
      ['["1"]', '"1" is not a user id'],
    ] as const) {
      const response = await fetch(url, { method: 'POST', body });
      expect({ body, status: response.status, text: await response.text() }).toEqual({ body, status: 400, text: expect.stringContaining(message) });
    }
    expect(run.server.metrics().db.setup).toBeUndefined();
    await run.finish();
  });

  it('parses an empty list as nothing to load', () => {
    expect(parseWarmBody('[]')).toEqual([]);
    expect(parseWarmBody('[3, 1]')).toEqual([3, 1]);
  });
});
