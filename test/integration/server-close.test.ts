// A node stopping under load: frames it already took are handled before close() returns (so the
// pool can end after it and no late frame meets an ended pool), and a client arriving meanwhile
// is refused rather than given a session the node cannot serve.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../reference-server/auth.ts';
import { SECRET, startTestServer } from '../support/server.ts';

describe('server close under load', () => {
  it('finishes every frame it took before close() resolves, then refuses newcomers', async () => {
    const log: string[] = [];
    const running = await startTestServer('watermark', { users: [1, 2], conversations: [{ id: 1, kind: 'direct', members: [1, 2] }] }, { log: (line) => log.push(line) });
    const client = await running.connect(1);
    await client.sync();
    for (let index = 0; index < 200; index++) client.send({ type: 'send', conversationId: 1, tempId: `t${index}`, body: 'x' });
    // the frames are on their way or queued; close as they are being handled
    await new Promise((resolve) => setTimeout(resolve, 20));
    await running.server.close();
    // what close() waited for is all there is: the pool ends now, and nothing used it after
    const { rows } = await running.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM messages');
    await running.database.pool.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.filter((line) => /pool/i.test(line))).toEqual([]);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    const late = new WebSocket(`${running.server.url}/?token=${mintToken(SECRET, 2)}`);
    await expect(new Promise((resolve, reject) => (late.once('open', resolve), late.once('error', reject)))).rejects.toThrow();
  });
});
