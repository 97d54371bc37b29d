// A reference server in its own process (so its RSS is its own), on a fresh database with a
// victim conversation: user 1 and 2 share direct conversation 100, which holds `backlog` messages
// of `bodyBytes` each, so every full sync of user 1 asks for all of them.
import { mintToken } from '../../reference-server/auth.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase, type ModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';
import { launchNode, type NodeHandle } from '../../reference-server/node-launcher.ts';

export const ABUSE_SECRET = 'abuse-secret';

export async function startAbuseTarget(adminUrl: string, options: { backlog: number; bodyBytes: number }): Promise<{ node: NodeHandle; database: ModelDatabase; token(userId: number): string; stop(): Promise<void> }> {
  const database = await prepareModelDatabase(adminUrl, getModel('naive'));
  await seedPopulation(database.setup.for('setup'), { users: [1, 2, 3], conversations: [{ id: 100, kind: 'direct', members: [1, 2] }, { id: 101, kind: 'direct', members: [3, 2] }] });
  await database.pool.query(
    `INSERT INTO messages (conversation_id, seq, sender_id, temp_id, body, sent_at)
     SELECT 100, g, 2, 'b' || g, repeat('x', $2), 0 FROM generate_series(1, $1) g`,
    [options.backlog, options.bodyBytes],
  );
  await database.pool.query('UPDATE conversations SET last_seq = $1 WHERE id = 100', [options.backlog]);
  const node = await launchNode({ model: 'naive', dbUrl: database.url, secret: ABUSE_SECRET, host: '127.0.0.1', port: 0, nodeId: 'abused', poolSize: 8 });
  return {
    node,
    database,
    token: (userId) => mintToken(ABUSE_SECRET, userId),
    async stop() {
      await node.stop();
      await database.pool.end();
      await database.drop();
    },
  };
}
