// Connection tokens: `<userId>.<hmac>`. The harness mints them with the server's secret; a
// client can only ever act as the user its token names.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function signature(secret: string, userId: number): string {
  return createHmac('sha256', secret).update(`chatbench-user:${userId}`).digest('base64url');
}

export function mintToken(secret: string, userId: number): string {
  return `${userId}.${signature(secret, userId)}`;
}

export function verifyToken(secret: string, token: string | undefined | null): number | undefined {
  if (!token) return undefined;
  const match = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const userId = Number(match[1]);
  const expected = Buffer.from(signature(secret, userId));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? userId : undefined;
}

/** The token of an upgrade request: `Authorization: Bearer <token>`, or `?token=` in the URL. */
export function tokenOf(request: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
  // the scheme is case-insensitive (RFC 9110 §11.1): `bearer x` is as good as `Bearer x`
  const bearer = /^bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  try {
    return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}
