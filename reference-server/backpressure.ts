// The server's outgoing path: every frame to a client is written by writeBounded, which closes a
// client that does not take what it is sent instead of holding it in memory without bound.
import type { RawData, WebSocket } from 'ws';
import { corkForBurst } from './ws-cork.ts';

/** bytes of an incoming frame, as ws hands it over */
export function frameSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/**
 * The one place frames are written to a client. Frames of one event-loop turn leave in one write
 * (ws-cork.ts). A client that does not take what it is sent makes `bufferedAmount` grow; past
 * `maxBuffered` bytes it is closed instead of held in memory.
 */
export function writeBounded(ws: WebSocket, text: string, maxBuffered: number, onSlow: () => void): number {
  corkForBurst(ws);
  ws.send(text);
  if (ws.bufferedAmount > maxBuffered) onSlow();
  return Buffer.byteLength(text);
}

/** Resolves true once the client took what was written (below `lowWater`), false on close or timeout. */
export async function waitDrained(ws: WebSocket, lowWater: number, timeoutMs: number, gone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (ws.bufferedAmount > lowWater) {
    if (gone() || ws.readyState !== ws.OPEN || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return !gone() && ws.readyState === ws.OPEN;
}
