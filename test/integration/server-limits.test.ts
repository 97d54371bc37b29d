// What one client may cost the server (reference-server/limits.ts), each bound shown against a
// real server over real sockets: full syncs are paged, a client that stops reading is closed as a
// slow consumer, a closed connection's queued frames are dropped, the frame budget is per user
// across connections, connections per user are capped, and silent or half-open sockets are closed.
import { connect as tcpConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../reference-server/auth.ts';
import type { Population } from '../../reference-server/db/seed.ts';
import { resolveLimits } from '../../reference-server/limits.ts';
import { CLOSE_CODES, type ServerFrame } from '../../reference-server/protocol.ts';
import { SECRET, startTestServer, type RunningServer } from '../support/server.ts';

const population: Population = { users: [1, 2], conversations: [{ id: 100, kind: 'direct', members: [1, 2] }] };

/** `count` messages from user 2 in conversation 100, `bytes` of body each, written directly */
async function backlog(run: RunningServer, count: number, bytes: number): Promise<void> {
  await run.database.pool.query(
    `INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at)
     SELECT 100, g, 2, 'b' || g, repeat('x', $2), 0 FROM generate_series(1, $1) g`,
    [count, bytes],
  );
  await run.database.pool.query('UPDATE conversations SET last_seq = $1 WHERE id = 100', [count]);
}

const waitFor = async (what: string, check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

function rawClient(url: string, userId: number, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(`${url}/?token=${encodeURIComponent(mintToken(SECRET, userId))}`, options);
  const frames: ServerFrame[] = [];
  const state: { code?: number } = {};
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
  ws.on('close', (code) => (state.code = code));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
  });
  return { ws, frames, state, opened };
}

describe('server limits', () => {
  it('refuses bad limit options with one line naming the option', () => {
    expect(() => resolveLimits({ maxBufferedBytes: 0 })).toThrow(/^server option maxBufferedBytes must be a positive integer \(got 0\)$/);
    expect(() => resolveLimits({ idleTimeoutMs: Number.NaN })).toThrow(/idleTimeoutMs/);
    expect(() => resolveLimits({ syncPageMessages: 1.5 })).toThrow(/syncPageMessages/);
    expect(resolveLimits({}).maxConnectionsPerUser).toBeGreaterThan(1);
  });

  it('pages a full sync into bounded sync_batch frames that together hold every message, in order', async () => {
    const run = await startTestServer('naive', population, { syncPageMessages: 7, syncPageBytes: 4000, syncFrameBytes: 1500 });
    await backlog(run, 50, 300);
    const alice = await run.connect(1);
    await alice.sync({ statusCursor: 0, lastSeqs: {} });
    const batches = alice.frames.filter((frame): frame is Extract<ServerFrame, { type: 'sync_batch' }> => frame.type === 'sync_batch');
    expect(batches.flatMap((batch) => batch.messages.map((message) => message.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(batches.length).toBeGreaterThanOrEqual(50 / 4);
    for (const batch of batches) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThan(1500 + 2 * 420);
    // a sync that fits one page is one statement for the messages, as before paging
    const before = run.server.metrics().db.reconnect?.statements ?? 0;
    await alice.sync({ statusCursor: 0, lastSeqs: { '100': 45 } });
    const small = (run.server.metrics().db.reconnect?.statements ?? 0) - before;
    const beforeFull = run.server.metrics().db.reconnect?.statements ?? 0;
    await alice.sync({ statusCursor: 0, lastSeqs: {} });
    expect((run.server.metrics().db.reconnect?.statements ?? 0) - beforeFull).toBeGreaterThan(small);
  });

  it('closes a client that stops reading while asking for full syncs, as a slow consumer', async () => {
    const run = await startTestServer('naive', population, { maxBufferedBytes: 256 * 1024 });
    await backlog(run, 400, 1000);
    const reader = rawClient(run.server.url, 1);
    await reader.opened;
    reader.ws.pause();
    for (let i = 0; i < 200; i++) reader.ws.send(JSON.stringify({ type: 'sync', statusCursor: 0, lastSeqs: {} }));
    await waitFor('slow consumer closed', () => (run.server.metrics().errors.slow_consumer ?? 0) >= 1);
    reader.ws.resume();
    await waitFor('socket closed', () => reader.state.code !== undefined);
    expect([CLOSE_CODES.slowConsumer, 1006]).toContain(reader.state.code);
    // far fewer than the 200 syncs asked for were answered
    expect(reader.frames.filter((frame) => frame.type === 'synced').length).toBeLessThan(100);
  });

  it('drops the queued frames of a connection that closed instead of running them', async () => {
    const run = await startTestServer('naive', population);
    await backlog(run, 300, 200);
    const client = rawClient(run.server.url, 1);
    await client.opened;
    const syncs = 300;
    for (let i = 0; i < syncs; i++) client.ws.send(JSON.stringify({ type: 'sync', statusCursor: 0, lastSeqs: {} }));
    await new Promise((resolve) => client.ws.once('message', resolve));
    client.ws.terminate();
    const statements = () => run.server.metrics().db.reconnect?.statements ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = statements();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(statements()).toBe(settled);
    // each sync is several statements: far fewer than the queued syncs ran
    expect(settled).toBeLessThan(syncs);
  });

  it('shares one frame budget among all connections of a user', async () => {
    const run = await startTestServer('naive', population, { framesPerSecond: 5, burst: 10, floodCloseAfter: 1000 });
    const clients = await Promise.all([1, 2, 3].map(() => run.connect(1)));
    for (const client of clients) for (let i = 0; i < 10; i++) client.send({ type: 'ping' });
    await waitFor('every ping answered', () => clients.every((client) => client.frames.length >= 10));
    const pongs = clients.reduce((sum, client) => sum + client.frames.filter((frame) => frame.type === 'pong').length, 0);
    // 30 pings: the burst of 10 (and a frame or two of refill), the rest refused
    expect(pongs).toBeLessThanOrEqual(12);
    expect(clients.flatMap((client) => client.frames).filter((frame) => frame.type === 'error' && frame.code === 'rate_limited').length).toBe(30 - pongs);
    // another user is not affected
    const bob = await run.connect(2);
    await bob.settle();
  });

  it('refuses a connection over the per-user cap with its close code', async () => {
    const run = await startTestServer('naive', population, { maxConnectionsPerUser: 2 });
    await run.connect(1);
    await run.connect(1);
    const third = rawClient(run.server.url, 1);
    await third.opened;
    await waitFor('third closed', () => third.state.code !== undefined);
    expect(third.state.code).toBe(CLOSE_CODES.tooManyConnections);
    await (await run.connect(2)).settle();
  });

  it('closes silent TCP connections and half-sent upgrade requests after the handshake timeout', async () => {
    const run = await startTestServer('naive', population, { handshakeTimeoutMs: 300 });
    const port = run.server.port;
    const open = (first?: string) =>
      new Promise<{ socket: Socket; closed: Promise<number> }>((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1', () => {
          if (first) socket.write(first);
          const started = Date.now();
          resolve({ socket, closed: new Promise((done) => socket.once('close', () => done(Date.now() - started))) });
        });
        socket.on('error', () => {});
        socket.resume();
      });
    const silent = await open();
    const half = await open(`GET /?token=${mintToken(SECRET, 1)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n`);
    for (const { closed } of [silent, half]) expect(await closed).toBeLessThan(5000);
    expect(run.server.metrics().errors.handshake_timeout).toBe(2);
    // an honest client is not affected: its upgrade completes at once
    const alice = await run.connect(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await alice.settle();
  });

  it('drops a WebSocket that neither sends nor answers pings, and keeps a quiet one that answers', async () => {
    const run = await startTestServer('naive', population, { idleTimeoutMs: 400 });
    const deaf = rawClient(run.server.url, 1, { autoPong: false });
    const quiet = await run.connect(2);
    await deaf.opened;
    await waitFor('deaf closed', () => deaf.state.code !== undefined, 5000);
    expect(run.server.metrics().errors.idle_timeout).toBe(1);
    await quiet.settle();
    expect(quiet.closeCode).toBeUndefined();
  });
});
