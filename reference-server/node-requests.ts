// Requests a run engine makes of a node over its HTTP side (the same host and port as its
// WebSocket): the orchestrator for its own nodes, `k6 coordinate` for a cluster's.

/** POSTs to a node (by its HTTP base URL); fails with the URL and what went wrong. */
export async function postToNode(httpUrl: string, path: string, what: string, body?: unknown): Promise<void> {
  const url = `${httpUrl}${path}`;
  const init: RequestInit = body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, init).catch((error: unknown) => {
    throw new Error(`server node ${url}: not reachable (${error instanceof Error ? error.message : String(error)})`);
  });
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new Error(`server node ${url}: ${what} failed (HTTP ${response.status}${text ? `: ${text}` : ''})`);
  }
}

/** A node loads these users' conversations as their logins would have (POST /warm, counted as setup). */
export async function warmNode(httpUrl: string, userIds: number[]): Promise<void> {
  if (userIds.length) await postToNode(httpUrl, '/warm', 'warm', userIds);
}
