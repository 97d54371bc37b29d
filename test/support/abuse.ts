// Hostile clients for memory tests: each runs for a bounded time against a server URL and reports
// how the server treated it. Kept apart from any server code so the same cases can be thrown at
// another build of the server (a before/after comparison).
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';

export { sampleRss } from '../../bench/support/rss.ts';

export interface AbuseReport {
  /** connections the abuser opened, and how each one ended (close code; 'destroyed' for raw TCP) */
  opened: number;
  closes: Record<string, number>;
  /** frames the abuser sent, and error frames it received, by code */
  framesSent: number;
  errors: Record<string, number>;
}

const bump = (record: Record<string, number>, key: string | number) => (record[String(key)] = (record[String(key)] ?? 0) + 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client that never reads and asks for full syncs (statusCursor 0, empty lastSeqs) about
 * `perSecond` times a second; when the server closes it, it connects again, until `seconds` pass.
 */
export async function nonReader(url: string, token: string, options: { seconds: number; perSecond: number }): Promise<AbuseReport> {
  const report: AbuseReport = { opened: 0, closes: {}, framesSent: 0, errors: {} };
  const deadline = Date.now() + options.seconds * 1000;
  const frame = JSON.stringify({ type: 'sync', statusCursor: 0, lastSeqs: {} });
  while (Date.now() < deadline) {
    const ws = new WebSocket(`${url}/?token=${encodeURIComponent(token)}`);
    report.opened += 1;
    ws.on('error', () => {});
    const closed = new Promise<void>((resolve) => ws.once('close', (code) => (bump(report.closes, code), resolve())));
    await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
    if (ws.readyState === WebSocket.OPEN) {
      // stops reading: nothing the server writes is taken any more
      ws.pause();
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(frame);
        report.framesSent += 1;
      }, 1000 / options.perSecond);
      await Promise.race([closed, sleep(deadline - Date.now())]);
      clearInterval(timer);
    }
    ws.terminate();
    await closed;
    await sleep(50);
  }
  return report;
}

/** Opens `count` TCP connections that send `first` (nothing, or part of an upgrade) and then stay silent. */
export async function silentSockets(port: number, count: number, first?: string): Promise<{ report: AbuseReport; end(): void }> {
  const report: AbuseReport = { opened: 0, closes: {}, framesSent: 0, errors: {} };
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        report.opened += 1;
        if (first) socket.write(first);
        resolve();
      });
      socket.on('error', () => resolve());
      socket.on('close', () => bump(report.closes, 'closed by server'));
      socket.resume();
      sockets.push(socket);
    });
  }
  return {
    report,
    end() {
      for (const socket of sockets) socket.removeAllListeners('close').destroy();
    },
  };
}

/**
 * One user on `connections` connections, each sending `perSecond` frames a second (sends with a
 * 200-byte body, and pings), reconnecting when closed, until `seconds` pass.
 */
export async function userFlood(url: string, token: string, options: { connections: number; perSecond: number; seconds: number; conversationId: number }): Promise<AbuseReport> {
  const report: AbuseReport = { opened: 0, closes: {}, framesSent: 0, errors: {} };
  const deadline = Date.now() + options.seconds * 1000;
  const body = 'x'.repeat(200);
  let n = 0;
  const one = async (lane: number) => {
    while (Date.now() < deadline) {
      const ws = new WebSocket(`${url}/?token=${encodeURIComponent(token)}`);
      report.opened += 1;
      ws.on('error', () => {});
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; code?: string };
        if (frame.type === 'error') bump(report.errors, frame.code ?? '?');
      });
      const closed = new Promise<void>((resolve) => ws.once('close', (code) => (bump(report.closes, code), resolve())));
      await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'sync' }));
        // in ticks of 10 ms: perSecond / 100 frames each
        const timer = setInterval(() => {
          for (let i = 0; i < options.perSecond / 100 && ws.readyState === WebSocket.OPEN; i++) {
            n += 1;
            ws.send(n % 2 ? JSON.stringify({ type: 'send', tempId: `f${lane}-${n}`, conversationId: options.conversationId, body }) : '{"type":"ping"}');
            report.framesSent += 1;
          }
        }, 10);
        await Promise.race([closed, sleep(deadline - Date.now())]);
        clearInterval(timer);
      }
      ws.terminate();
      await closed;
      await sleep(200);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, lane) => one(lane)));
  return report;
}
