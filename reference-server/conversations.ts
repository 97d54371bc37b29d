// Conversation membership cached in memory: membership is checked on every frame, and group
// members are needed for fan-out, so each conversation is loaded once per node.
import type { ActionDb } from './db/query-layer.ts';
import type { ConversationMeta } from './models/types.ts';

export class ConversationCache {
  private readonly conversations = new Map<number, ConversationMeta>();
  private readonly byUser = new Map<number, number[]>();

  /** the user's conversations, loading what is not cached yet */
  async forUser(db: ActionDb, userId: number): Promise<ConversationMeta[]> {
    let ids = this.byUser.get(userId);
    if (!ids) {
      ids = (await db.read<{ conversation_id: string }>('SELECT conversation_id FROM members WHERE user_id = $1', [userId])).map((row) =>
        Number(row.conversation_id),
      );
      this.byUser.set(userId, ids);
    }
    const missing = ids.filter((id) => !this.conversations.has(id));
    if (missing.length) {
      const rows = await db.read<{ id: string; kind: 'direct' | 'group'; members: string[] }>(
        `SELECT c.id, c.kind, array_agg(m.user_id ORDER BY m.user_id) AS members
         FROM conversations c JOIN members m ON m.conversation_id = c.id
         WHERE c.id = ANY($1::bigint[]) GROUP BY c.id, c.kind`,
        [missing],
      );
      for (const row of rows) this.conversations.set(Number(row.id), { id: Number(row.id), kind: row.kind, members: row.members.map(Number) });
    }
    return ids.map((id) => this.conversations.get(id)).filter((meta): meta is ConversationMeta => meta !== undefined);
  }

  /** the conversation if `userId` is a member of it (after forUser loaded the user) */
  memberOf(userId: number, conversationId: number): ConversationMeta | undefined {
    const meta = this.conversations.get(conversationId);
    return meta && this.byUser.get(userId)?.includes(conversationId) ? meta : undefined;
  }
}
