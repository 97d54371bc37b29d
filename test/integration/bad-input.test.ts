// Bad input against every registered model: each bad frame gets its stable error code (or the
// connection its close code), and in every case the server keeps serving a bystander pair and
// no acknowledged message is lost.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../reference-server/auth.ts';
import type { Population } from '../../reference-server/db/seed.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { CLOSE_CODES, MAX_FRAME_BYTES, type ServerFrame } from '../../reference-server/protocol.ts';
import { SECRET, startTestServer, type RunningServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

// 1 and 2 are the bystanders (direct 100); 3 is the one misbehaving, 4 its peer (direct 101);
// group 200 has 1, 2 and 3
const population: Population = {
  users: [1, 2, 3, 4],
  conversations: [
    { id: 100, kind: 'direct', members: [1, 2] },
    { id: 101, kind: 'direct', members: [3, 4] },
    { id: 200, kind: 'group', members: [1, 2, 3] },
  ],
};

/** waits for the first frame (already received or arriving) that matches, and takes it */
async function frameWhere(client: TestClient, match: (frame: ServerFrame) => boolean, what: string, timeoutMs = 5000): Promise<ServerFrame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = client.frames.findIndex(match);
    if (index >= 0) return client.frames.splice(index, 1)[0]!;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; last frames ${JSON.stringify(client.frames.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function errorWithRef(client: TestClient, ref: string) {
  return frameWhere(client, (frame) => frame.type === 'error' && frame.ref === ref, `error frame with ref ${ref}`);
}

/**
 * Alice and Bob (direct 100), connected before the abuse. check() proves the server still
 * serves them: a send is acked and delivered live, Bob's delivered ack reaches Alice as a status
 * frame, and a fresh sync of Bob's finds every seq Alice was ever acked.
 */
async function bystanders(run: RunningServer) {
  const alice = await run.connect(1);
  const bob = await run.connect(2);
  await alice.sync();
  await bob.sync();
  const acked: number[] = [];
  let sent = 0;
  const exchange = async () => {
    const ack = await alice.sendMessage(100, `bystander-${Date.now()}-${++sent}`);
    expect(ack.duplicate).toBe(false);
    acked.push(ack.seq);
    await bob.next('msg', (message) => message.conversationId === 100 && message.seq === ack.seq);
    bob.send({ type: 'delivered', conversationId: 100, upToSeq: ack.seq });
    await frameWhere(
      alice,
      (frame) =>
        (frame.type === 'status' && frame.conversationId === 100 && frame.seq === ack.seq && frame.status === 'delivered') ||
        (frame.type === 'status_update' && frame.conversationId === 100 && frame.lastDeliveredSeq >= ack.seq),
      `delivered status for seq ${ack.seq}`,
    );
  };
  await exchange();
  return {
    async check() {
      await exchange();
      const again = await run.connect(2);
      await again.sync();
      const batch = await again.next('sync_batch', (frame) => frame.conversationId === 100);
      const seqs = batch.messages.map((message) => message.seq);
      for (const seq of acked) expect(seqs).toContain(seq);
      again.close();
    },
  };
}

/** a connection for user 3 that has synced, so frames reach the handlers */
async function attacker(run: RunningServer, userId = 3): Promise<TestClient> {
  const client = await run.connect(userId);
  await client.sync();
  return client;
}

async function closeCodeOf(client: TestClient, timeoutMs = 5000): Promise<number> {
  return Promise.race([
    client.waitClosed(),
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs)),
  ]);
}

const WRONG_FIELDS: { frame: Record<string, unknown>; why: RegExp }[] = [
  { frame: { type: 'send', conversationId: 101, body: 'x' }, why: /missing field "tempId"/ },
  { frame: { type: 'send', tempId: 5, conversationId: 101, body: 'x' }, why: /tempId must be a string/ },
  { frame: { type: 'send', tempId: '', conversationId: 101, body: 'x' }, why: /tempId must be 1\.\.128/ },
  { frame: { type: 'send', tempId: 'x'.repeat(129), conversationId: 101, body: 'x' }, why: /tempId must be 1\.\.128/ },
  { frame: { type: 'send', tempId: 't', conversationId: '101', body: 'x' }, why: /conversationId must be a positive integer/ },
  { frame: { type: 'send', tempId: 't', conversationId: -1, body: 'x' }, why: /conversationId must be a positive integer/ },
  { frame: { type: 'send', tempId: 't', conversationId: 1.5, body: 'x' }, why: /conversationId must be a positive integer/ },
  { frame: { type: 'send', tempId: 't', conversationId: 2 ** 31, body: 'x' }, why: /conversationId must be a positive integer/ },
  { frame: { type: 'send', tempId: 't', conversationId: 101 }, why: /missing field "body"/ },
  { frame: { type: 'send', tempId: 't', conversationId: 101, body: null }, why: /body must be a string/ },
  { frame: { type: 'delivered', conversationId: 101 }, why: /missing field "upToSeq"/ },
  { frame: { type: 'delivered', upToSeq: 1 }, why: /missing field "conversationId"/ },
  { frame: { type: 'delivered', conversationId: 101, upToSeq: -1 }, why: /upToSeq must be a non-negative integer/ },
  { frame: { type: 'delivered', conversationId: 101, upToSeq: '3' }, why: /upToSeq must be a non-negative integer/ },
  { frame: { type: 'delivered', conversationId: 101, upToSeq: 1e300 }, why: /upToSeq must be a non-negative integer/ },
  { frame: { type: 'read', conversationId: 101, upToSeq: 1.5 }, why: /upToSeq must be a non-negative integer/ },
  { frame: { type: 'read', conversationId: 0, upToSeq: 1 }, why: /conversationId must be a positive integer/ },
  { frame: { type: 'read', conversationId: 101, upToSeq: true }, why: /upToSeq must be a non-negative integer/ },
  { frame: { type: 'sync', statusCursor: -1 }, why: /statusCursor must be a non-negative integer/ },
  { frame: { type: 'sync', lastSeqs: [1] }, why: /lastSeqs must be an object/ },
  { frame: { type: 'sync', lastSeqs: { abc: 1 } }, why: /lastSeqs must map conversation ids/ },
  { frame: { type: 'sync', lastSeqs: { '101': -1 } }, why: /lastSeqs must map conversation ids/ },
  { frame: { type: 'sync', lastSeqs: { '101': 1e300 } }, why: /lastSeqs must map conversation ids/ },
  { frame: { type: 'sync', wantSettings: 'yes' }, why: /wantSettings must be a boolean/ },
  { frame: { type: 'set_settings' }, why: /missing field "readReceipts"/ },
  { frame: { type: 'set_settings', readReceipts: 'false' }, why: /readReceipts must be a boolean/ },
  { frame: { type: 'read_by', conversationId: 101 }, why: /missing field "seq"/ },
  { frame: { type: 'read_by', conversationId: null, seq: 1 }, why: /conversationId must be a positive integer/ },
];

const FORGED_TOKENS: Record<string, string | undefined> = {
  'no token': undefined,
  'an empty token': '',
  'a token signed with another secret': mintToken('not-the-secret', 3),
  "user 1's id with user 3's signature": `1.${mintToken(SECRET, 3).split('.')[1]}`,
  'a valid token with a character changed': mintToken(SECRET, 3).replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')),
  'a truncated signature': mintToken(SECRET, 3).slice(0, -1),
  garbage: 'garbage',
  'user id 0': `0.${mintToken(SECRET, 3).split('.')[1]}`,
};

describe.each(Object.keys(MODELS))('bad input, model %s', (modelId) => {
  // a server (and database) per test: startTestServer cleans up when its test ends
  const start = () => startTestServer(modelId, population);

  it('answers invalid JSON with invalid_json and a non-object frame with invalid_frame', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    for (const text of ['{not json', '', '{"type":"ping"', 'undefined']) {
      bad.sendRaw(text);
      expect(await frameWhere(bad, (frame) => frame.type === 'error', `error for ${JSON.stringify(text)}`)).toMatchObject({ code: 'invalid_json' });
    }
    for (const text of ['[1,2]', 'null', '42', '"ping"', '{"ref":"no-type"}']) {
      bad.sendRaw(text);
      expect(await frameWhere(bad, (frame) => frame.type === 'error', `error for ${text}`)).toMatchObject({ code: 'invalid_frame' });
    }
    await bad.settle();
    await watch.check();
  });

  it('answers an unknown frame type with unknown_type, echoing ref', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    for (const type of ['hack', '__proto__', 'constructor', 'toString', 'SEND']) {
      bad.send({ type, ref: `u-${type}` });
      expect(await errorWithRef(bad, `u-${type}`)).toMatchObject({ code: 'unknown_type' });
    }
    bad.send({ type: 5, ref: 'numeric-type' });
    expect(await errorWithRef(bad, 'numeric-type')).toMatchObject({ code: 'invalid_frame' });
    await watch.check();
  });

  it('answers missing and wrong-typed fields with invalid_frame naming the field, and stores nothing', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    // a conversation with messages, so a sync's lastSeqs reach the database
    await bad.sendMessage(200, `fields-${Date.now()}`);
    for (const [index, { frame, why }] of WRONG_FIELDS.entries()) {
      bad.send({ ...frame, ref: `f${index}` });
      const error = await errorWithRef(bad, `f${index}`);
      expect(error, JSON.stringify(frame)).toMatchObject({ code: 'invalid_frame' });
      expect(error.type === 'error' && error.message, JSON.stringify(frame)).toMatch(why);
    }
    // the connection is still usable: a good frame after all that is handled
    expect(await bad.sendMessage(101, 'after-bad-fields')).toMatchObject({ duplicate: false });
    await watch.check();
  });

  it('refuses frames before sync', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const early = await run.connect(3);
    early.send({ type: 'send', tempId: 'early', conversationId: 101, body: 'x', ref: 'early' });
    expect(await errorWithRef(early, 'early')).toMatchObject({ code: 'invalid_frame', message: expect.stringMatching(/sync/) });
    await watch.check();
  });

  it("refuses to send, ack, read or count in a conversation the user is not in, and never shows its messages", async () => {
    const run = await start();
    const watch = await bystanders(run);
    const before = await run.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE conversation_id = 100');
    const bad = await attacker(run);
    const frames: Record<string, unknown>[] = [
      { type: 'send', tempId: 'intrude', conversationId: 100, body: 'x' },
      { type: 'delivered', conversationId: 100, upToSeq: 1000 },
      { type: 'read', conversationId: 100, upToSeq: 1000 },
      { type: 'read_by', conversationId: 100, seq: 1 },
      { type: 'send', tempId: 'nowhere', conversationId: 999, body: 'x' },
      { type: 'read', conversationId: 999, upToSeq: 1 },
    ];
    for (const [index, frame] of frames.entries()) {
      bad.send({ ...frame, ref: `m${index}` });
      expect(await errorWithRef(bad, `m${index}`), JSON.stringify(frame)).toMatchObject({ code: 'not_a_member' });
    }
    // asking for its history in a sync gets nothing of it either
    const nosy = await run.connect(3);
    nosy.send({ type: 'sync', lastSeqs: { '100': 0 } });
    const list = await nosy.next('conversations');
    expect(list.items.map((item) => item.id).sort()).toEqual([101, 200]);
    await nosy.next('synced');
    expect(nosy.frames.filter((frame) => frame.type === 'sync_batch' && frame.conversationId === 100)).toEqual([]);
    const after = await run.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE conversation_id = 100');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // the intruder's acks moved nothing: Alice's messages are at most delivered (Bob's acks), never read
    const ticks = await run.storedTicks({ id: 100, kind: 'direct', members: [1, 2] });
    expect([...ticks.values()].filter((tick) => tick === 'read')).toEqual([]);
    await watch.check();
  });

  it("acts as the token's user whatever ids a frame carries", async () => {
    const run = await start();
    const watch = await bystanders(run);
    const alice = await run.connect(1);
    await alice.sync();
    const sent = await alice.sendMessage(200, `for-group-${Date.now()}`);
    const bad = await attacker(run);
    // a userId or senderId in a client frame is not part of the protocol and changes nothing
    bad.send({ type: 'read', conversationId: 200, upToSeq: sent.seq, userId: 2 });
    const status = await frameWhere(
      alice,
      (frame) => (frame.type === 'status' || frame.type === 'status_update') && frame.conversationId === 200,
      'status for the group read',
    );
    expect(status).toMatchObject({ userId: 3 });
    const own = await bad.sendMessage(200, `as-someone-else-${Date.now()}`);
    bad.send({ type: 'send', tempId: 'x', conversationId: 200, body: 'x', senderId: 1, userId: 1 });
    const ack = await bad.next('ack', (frame) => frame.tempId === 'x');
    const rows = await run.database.pool.query<{ seq: string; sender_id: string }>(
      'SELECT seq, sender_id FROM messages WHERE conversation_id = 200 AND seq = ANY($1::bigint[]) ORDER BY seq',
      [[own.seq, ack.seq]],
    );
    expect(rows.rows.map((row) => Number(row.sender_id))).toEqual([3, 3]);
    await watch.check();
  });

  it('refuses a missing or forged token: unauthorized, then close 4401', async () => {
    const run = await start();
    const watch = await bystanders(run);
    for (const [name, token] of Object.entries(FORGED_TOKENS)) {
      const client = await TestClient.connect(run.server.url, token);
      expect(await closeCodeOf(client), name).toBe(CLOSE_CODES.unauthorized);
      expect(client.frames, name).toEqual([{ type: 'error', code: 'unauthorized', message: expect.any(String) }]);
    }
    await watch.check();
  });

  it('survives a refused client that keeps talking (a frame, an oversized frame, invalid UTF-8) before its close lands', async () => {
    const run = await start();
    const watch = await bystanders(run);
    for (const payload of [JSON.stringify({ type: 'sync' }), 'x'.repeat(MAX_FRAME_BYTES + 1), Buffer.from([0xff, 0xfe])]) {
      // sent from the open handler itself, so it is on the wire before the server's close arrives
      const ws = new WebSocket(`${run.server.url}/?token=garbage`);
      ws.on('error', () => {});
      ws.on('open', () => ws.send(payload, { binary: false }));
      const code = await new Promise<number>((resolve) => ws.on('close', (closeCode) => resolve(closeCode)));
      expect([CLOSE_CODES.unauthorized, 1009, 1007]).toContain(code);
    }
    await watch.check();
  });

  it('accepts a frame of exactly 64 KiB and closes the connection with 1009 for one byte more, losing nothing acked', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    const kept = await bad.sendMessage(101, `before-oversize-${Date.now()}`);
    const stamp = Date.now();
    const frameOf = (bodyBytes: number, tempId: string) => JSON.stringify({ type: 'send', tempId, conversationId: 101, body: 'b'.repeat(bodyBytes) });
    const overhead = frameOf(0, `limit-${stamp}`).length;
    const atLimit = frameOf(MAX_FRAME_BYTES - overhead, `limit-${stamp}`);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_FRAME_BYTES);
    bad.sendRaw(atLimit);
    const big = await bad.next('ack');
    expect(big.duplicate).toBe(false);
    const over = frameOf(MAX_FRAME_BYTES - overhead + 1, `limit-${stamp + 1}`);
    expect(Buffer.byteLength(over)).toBe(MAX_FRAME_BYTES + 1);
    bad.sendRaw(over);
    expect(await closeCodeOf(bad)).toBe(1009);

    const peer = await run.connect(4);
    await peer.sync();
    const batch = await peer.next('sync_batch', (frame) => frame.conversationId === 101);
    const seqs = batch.messages.map((message) => message.seq);
    expect(seqs).toContain(kept.seq);
    expect(seqs).toContain(big.seq);
    expect(seqs).toHaveLength(new Set(seqs).size);
    await watch.check();
  });

  it('refuses binary frames with invalid_frame, even when they hold a valid frame', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    bad.sendRaw(Buffer.from(JSON.stringify({ type: 'ping', ref: 'binary' })));
    expect(await frameWhere(bad, (frame) => frame.type === 'error', 'error for a binary frame')).toMatchObject({
      code: 'invalid_frame',
      message: expect.stringMatching(/binary/),
    });
    bad.sendRaw(Buffer.from([0, 1, 2, 255]));
    expect(await frameWhere(bad, (frame) => frame.type === 'error', 'error for binary garbage')).toMatchObject({ code: 'invalid_frame' });
    await bad.settle();
    await watch.check();
  });
});

describe.each(Object.keys(MODELS))('flooding, model %s', (modelId) => {
  // small limits so a flood is quick to produce; bystanders stay well under them
  const limits = { framesPerSecond: 20, burst: 10, floodCloseAfter: 25 };
  const start = () => startTestServer(modelId, population, limits);

  it('rate-limits a burst with rate_limited errors, then closes the flooder with 4429, losing nothing acked', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    const stamp = Date.now();
    for (let i = 0; i < 200; i++) bad.send({ type: 'send', tempId: `flood-${stamp}-${i}`, conversationId: 101, body: 'x' });
    expect(await closeCodeOf(bad)).toBe(CLOSE_CODES.flood);
    const acked = bad.frames.filter((frame) => frame.type === 'ack').map((frame) => frame.seq);
    const limited = bad.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited');
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.length).toBeLessThanOrEqual(limits.burst + 2);
    expect(limited.length).toBeGreaterThan(0);
    // every frame let through before the close was answered: no stored message without its ack
    const stored = await run.database.pool.query<{ seq: string }>(
      'SELECT seq FROM messages WHERE conversation_id = 101 AND temp_id LIKE $1 ORDER BY seq',
      [`flood-${stamp}-%`],
    );
    expect(stored.rows.map((row) => Number(row.seq))).toEqual([...acked].sort((a, b) => a - b));

    const peer = await run.connect(4);
    await peer.sync();
    const batch = await peer.next('sync_batch', (frame) => frame.conversationId === 101);
    const seqs = batch.messages.map((message) => message.seq);
    for (const seq of acked) expect(seqs).toContain(seq);
    await watch.check();
  });

  it('closes a client that stays over the rate, even though a frame now and then gets through', async () => {
    const run = await start();
    const watch = await bystanders(run);
    const bad = await attacker(run);
    // five times the sustained rate for up to 4 s: refill lets one frame in every 50 ms
    let closed = false;
    void bad.waitClosed().then(() => (closed = true));
    for (let i = 0; i < 400 && !closed; i++) {
      bad.send({ type: 'ping' });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await closeCodeOf(bad, 1000)).toBe(CLOSE_CODES.flood);
    expect(bad.frames.some((frame) => frame.type === 'pong')).toBe(true);
    await watch.check();
  });
});
