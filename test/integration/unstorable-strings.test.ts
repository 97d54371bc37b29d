// Client strings Postgres cannot store as given are refused at the protocol boundary, never acked
// and then lost: lone UTF-16 surrogates (Postgres stored both "T\ud800" and "T\udfff" as "T\ufffd",
// so the second send was answered `duplicate` with the first one's seq) and NUL (answered
// `internal`). Also: the bearer scheme of the Authorization header is case-insensitive.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../reference-server/auth.ts';
import type { Population } from '../../reference-server/db/seed.ts';
import type { ServerFrame } from '../../reference-server/protocol.ts';
import { SECRET, startTestServer } from '../support/server.ts';

const population: Population = { users: [1, 2], conversations: [{ id: 100, kind: 'direct', members: [1, 2] }] };

// raw JSON text: JSON.stringify would never produce a lone surrogate escape from a JS string
// the test controls, and the point is what a hostile client can put on the wire
const sendFrame = (tempIdJson: string, bodyJson: string, ref: string) => `{"type":"send","conversationId":100,"tempId":${tempIdJson},"body":${bodyJson},"ref":"${ref}"}`;

describe('strings Postgres cannot store', () => {
  it('refuses lone surrogates and NUL with invalid_frame naming the field, and acks nothing it did not store', async () => {
    const run = await startTestServer('naive', population);
    const alice = await run.connect(1);
    await alice.sync();
    const cases: { text: string; field: 'tempId' | 'body'; why: RegExp }[] = [
      { text: sendFrame('"T\\ud800"', '"x"', 'high'), field: 'tempId', why: /tempId must be well-formed Unicode/ },
      { text: sendFrame('"T\\udfff"', '"x"', 'low'), field: 'tempId', why: /tempId must be well-formed Unicode/ },
      { text: sendFrame('"\\udfff\\ud800"', '"x"', 'reversed'), field: 'tempId', why: /tempId must be well-formed Unicode/ },
      { text: sendFrame('"ok-1"', '"half \\ud83d of an emoji"', 'body-surrogate'), field: 'body', why: /body must be well-formed Unicode/ },
      { text: sendFrame('"T\\u0000"', '"x"', 'nul-temp'), field: 'tempId', why: /tempId must not contain NUL/ },
      { text: sendFrame('"ok-2"', '"a\\u0000b"', 'nul-body'), field: 'body', why: /body must not contain NUL/ },
    ];
    for (const { text, why } of cases) {
      alice.sendRaw(text);
      const ref = /"ref":"([^"]+)"/.exec(text)![1]!;
      const error = await alice.next('error', (frame) => frame.ref === ref);
      expect(error, ref).toMatchObject({ code: 'invalid_frame' });
      expect(error.message, ref).toMatch(why);
    }
    await alice.settle();
    expect(alice.frames.filter((frame) => frame.type === 'ack')).toEqual([]);
    // a well-formed pair (an emoji) is a different string from its halves, and is stored
    alice.sendRaw(sendFrame('"T\\ud83d\\ude00"', '"\\ud83d\\ude00"', 'emoji'));
    const ack = await alice.next('ack');
    expect(ack).toMatchObject({ tempId: 'T\u{1F600}', duplicate: false });
    const stored = await run.database.pool.query<{ temp_id: string; body: string }>('SELECT temp_id, body FROM messages WHERE conversation_id = 100');
    expect(stored.rows).toEqual([{ temp_id: 'T\u{1F600}', body: '\u{1F600}' }]);
  });

  it('echoes only a string ref: a handler error for a frame with an object or number ref carries none', async () => {
    const run = await startTestServer('naive', population);
    const alice = await run.connect(1);
    await alice.sync();
    for (const ref of [{ nested: 1 }, 42, 'x'.repeat(129)]) {
      alice.send({ type: 'read_by', conversationId: 999, seq: 1, ref });
      const error = await alice.next('error');
      expect(error.code).toBe('not_a_member');
      expect(error).not.toHaveProperty('ref');
    }
  });

  it('accepts the bearer scheme in any case, and still refuses a bad token', async () => {
    const run = await startTestServer('naive', population);
    const open = (authorization: string) =>
      new Promise<{ frames: ServerFrame[]; code?: number; ws: WebSocket }>((resolve, reject) => {
        const ws = new WebSocket(run.server.url, { headers: { authorization } });
        const frames: ServerFrame[] = [];
        ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
        ws.once('error', reject);
        ws.once('close', (code) => resolve({ frames, code, ws }));
        ws.once('open', () => {
          ws.send(JSON.stringify({ type: 'sync' }));
          ws.on('message', () => frames.some((frame) => frame.type === 'synced') && resolve({ frames, ws }));
        });
      });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const { frames, code, ws } = await open(`${scheme} ${mintToken(SECRET, 1)}`);
      expect(code, scheme).toBeUndefined();
      expect(frames.some((frame) => frame.type === 'synced'), scheme).toBe(true);
      ws.close();
    }
    const refused = await open(`bearer ${mintToken('another-secret', 1)}`);
    expect(refused.code).toBe(4401);
  });
});
