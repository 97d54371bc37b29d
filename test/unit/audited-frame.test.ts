// An audited frame holds its answers until its transaction commits: when the commit fails, the
// answers (an ack above all) must never reach the client, and the frame must fail so the client
// gets an error. The database is replaced here: only the holding logic is under test (the commit
// itself is in test/integration/audit-commit.test.ts).
import { describe, expect, it } from 'vitest';
import type { AttributionAudit } from '../../reference-server/db/audit.ts';
import type { DbScope } from '../../reference-server/db/query-layer.ts';
import { handleFrame, type ConnectionState, type HandlerContext } from '../../reference-server/handlers.ts';
import type { ServerFrame } from '../../reference-server/protocol.ts';

function setup(commit: () => Promise<void>) {
  const replies: ServerFrame[] = [];
  const scope = { for: () => ({}) } as unknown as DbScope;
  const audit = { wants: () => true, begin: async () => ({ scope, finish: commit }) } as unknown as AttributionAudit;
  const ctx = {
    model: { setReadReceipts: async () => {} },
    db: scope,
    audit,
    sessions: {},
    metrics: {},
  } as unknown as HandlerContext;
  const conn: ConnectionState = { userId: 1, socket: { userId: 1, sendText: () => 0 }, synced: true, reply: (frame) => void replies.push(frame), drained: async () => true };
  return { ctx, conn, replies };
}

describe('audited frame', () => {
  it('sends its held answer once the commit succeeded', async () => {
    const { ctx, conn, replies } = setup(async () => {});
    await handleFrame(ctx, conn, { type: 'set_settings', readReceipts: false });
    expect(replies).toEqual([{ type: 'settings', readReceipts: false }]);
  });

  it('drops its held answer and fails when the commit failed', async () => {
    let finish: Promise<void> | undefined;
    const { ctx, conn, replies } = setup(() => (finish ??= Promise.reject(new Error('the audited frame was rolled back'))));
    await expect(handleFrame(ctx, conn, { type: 'set_settings', readReceipts: false })).rejects.toThrow(/rolled back/);
    expect(replies).toEqual([]);
  });
});
