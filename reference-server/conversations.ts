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
    await this.loadConversations(db, ids);
    return ids.map((id) => this.conversations.get(id)).filter((meta): meta is ConversationMeta => meta !== undefined);
  }

  /**
   * Loads many users at once, as their logins would have (two statements in all): what a node
   * holds for users whose devices were restored offline rather than logged in (bulk history), so
   * their first sync costs what a returning user's does.
   */
  async preload(db: ActionDb, userIds: number[]): Promise<void> {
    if (!userIds.length) return;
    const rows = await db.read<{ user_id: string; ids: string[] }>(
      'SELECT user_id, array_agg(conversation_id ORDER BY conversation_id) AS ids FROM members WHERE user_id = ANY($1::bigint[]) GROUP BY user_id',
      [userIds],
    );
    for (const userId of userIds) this.byUser.set(userId, []);
    for (const row of rows) this.byUser.set(Number(row.user_id), row.ids.map(Number));
    await this.loadConversations(db, [...new Set(rows.flatMap((row) => row.ids.map(Number)))]);
  }

  /** the conversation if `userId` is a member of it (after forUser loaded the user) */
  memberOf(userId: number, conversationId: number): ConversationMeta | undefined {
    const meta = this.conversations.get(conversationId);
    return meta && this.byUser.get(userId)?.includes(conversationId) ? meta : undefined;
  }

  /** the conversations of `ids` not cached yet, in one statement */
  private async loadConversations(db: ActionDb, ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !this.conversations.has(id));
    if (!missing.length) return;
    const rows = await db.read<{ id: string; kind: 'direct' | 'group'; members: string[] }>(
      `SELECT c.id, c.kind, array_agg(m.user_id ORDER BY m.user_id) AS members
       FROM conversations c JOIN members m ON m.conversation_id = c.id
       WHERE c.id = ANY($1::bigint[]) GROUP BY c.id, c.kind`,
      [missing],
    );
    for (const row of rows) this.conversations.set(Number(row.id), { id: Number(row.id), kind: row.kind, members: row.members.map(Number) });
  }
}
