// POST /warm on a node: it loads the conversations of users whose devices were restored offline
// (a bulk history replaces their logins), so their first sync costs what a returning user's does.
// The request body, read and checked here; the run engines send it with node-requests.ts.
import type { IncomingMessage } from 'node:http';

export const WARM_LIMITS = {
  /** a request body: a JSON array of user ids (a 100,000-user storm's ids fit many times over) */
  maxBytes: 8 * 1024 * 1024,
};

/** The user ids of a /warm request body, or an error saying what is wrong with it. */
export async function readWarmRequest(request: IncomingMessage): Promise<number[]> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > WARM_LIMITS.maxBytes) throw new Error(`/warm: body over ${WARM_LIMITS.maxBytes} bytes`);
    chunks.push(chunk);
  }
  return parseWarmBody(Buffer.concat(chunks).toString('utf8'));
}

export function parseWarmBody(text: string): number[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('/warm: body is not JSON (expected an array of user ids)');
  }
  if (!Array.isArray(body)) throw new Error('/warm: expected an array of user ids');
  const bad = body.find((id) => !Number.isSafeInteger(id) || (id as number) < 1);
  if (bad !== undefined) throw new Error(`/warm: ${JSON.stringify(bad)} is not a user id (a positive integer)`);
  return body as number[];
}
