// The server's memory stays bounded under the two cases that used to grow it without limit,
// measured as the resident set of a server in its own process with its default limits:
// - a non-reader: a client that stops reading and asks for full syncs ~100 times a second (it took
//   the server from 118 MiB to 1.2 GiB in 30 s, and it stayed there);
// - a connection flood: silent TCP connections, half-sent upgrade requests, and one user on 20
//   connections at 1,500 frames/s each.
// The bound, 300 MiB, is the idle server (about 120 MiB: Node, the TypeScript loader, pg, ws) plus
// what the limits allow the abuser: 8 connections x (8 MiB unsent + 4 MiB queued + a 1 MiB sync
// page) is about 100 MiB in the worst case, with room for the garbage collector's slack.
import { inject, describe, expect, it } from 'vitest';
import { nonReader, sampleRss, silentSockets, userFlood } from '../support/abuse.ts';
import { startAbuseTarget } from '../support/abuse-target.ts';

const BOUND_MIB = 300;
const SECONDS = 20;

describe('server memory under abuse', () => {
  it(`stays under ${BOUND_MIB} MiB with a client that stops reading and asks for full syncs, and closes it`, async () => {
    // 2,000 messages of 500 bytes: each full sync asks for about 1.2 MB of frames
    const target = await startAbuseTarget(inject('pgAdminUrl'), { backlog: 2000, bodyBytes: 500 });
    try {
      const rss = sampleRss(target.node.pid);
      const report = await nonReader(target.node.url, target.token(1), { seconds: SECONDS, perSecond: 100 });
      const figures = rss.stop();
      const metrics = await target.node.metrics();
      console.log(`non-reader: RSS ${figures.start.toFixed(0)} -> max ${figures.max.toFixed(0)}, end ${figures.last.toFixed(0)} MiB; ${report.opened} connections, closes ${JSON.stringify(report.closes)}, server errors ${JSON.stringify(metrics.errors)}`);
      expect(figures.max).toBeLessThan(BOUND_MIB);
      expect(metrics.errors.slow_consumer ?? 0).toBeGreaterThanOrEqual(1);
      // the server, not the end of the test, ended the abuser's connections
      expect(report.opened).toBeGreaterThan(1);
    } finally {
      await target.stop();
    }
  }, 60_000);

  it(`stays under ${BOUND_MIB} MiB under a connection flood, closing silent sockets and limiting the flooding user`, async () => {
    const target = await startAbuseTarget(inject('pgAdminUrl'), { backlog: 10, bodyBytes: 10 });
    const rss = sampleRss(target.node.pid);
    const silent = await silentSockets(Number(new URL(target.node.url).port), 1500);
    const half = await silentSockets(Number(new URL(target.node.url).port), 1500, `GET /?token=${target.token(2)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
    try {
      // longer than the handshake timeout (20 s), so every silent socket must have been closed
      const flood = await userFlood(target.node.url, target.token(3), { connections: 20, perSecond: 1500, seconds: 25, conversationId: 101 });
      const figures = rss.stop();
      const metrics = await target.node.metrics();
      console.log(`flood: RSS ${figures.start.toFixed(0)} -> max ${figures.max.toFixed(0)}, end ${figures.last.toFixed(0)} MiB; silent closed ${JSON.stringify(silent.report.closes)}, half-sent closed ${JSON.stringify(half.report.closes)}; user: ${flood.opened} connections, ${flood.framesSent} frames, closes ${JSON.stringify(flood.closes)}, errors ${JSON.stringify(flood.errors)}`);
      expect(figures.max).toBeLessThan(BOUND_MIB);
      expect(silent.report.closes['closed by server']).toBe(silent.report.opened);
      expect(half.report.closes['closed by server']).toBe(half.report.opened);
      // 20 connections of one user: over the cap are refused, and the shared budget refuses frames
      expect(flood.closes['4409'] ?? 0).toBeGreaterThanOrEqual(1);
      expect(flood.errors.rate_limited ?? 0).toBeGreaterThan(0);
    } finally {
      silent.end();
      half.end();
      await target.stop();
    }
  }, 60_000);
});
