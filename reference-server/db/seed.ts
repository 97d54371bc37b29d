// Creates the population a scenario needs (users, conversations, members) in bulk, attributed
// to `setup` so the database cross-check still balances.
import type { ActionDb } from './query-layer.ts';

export interface Population {
  users: number[];
  conversations: { id: number; kind: 'direct' | 'group'; members: number[] }[];
}

const BATCH = 20_000;

export async function seedPopulation(db: ActionDb, population: Population): Promise<void> {
  for (let i = 0; i < population.users.length; i += BATCH) {
    const ids = population.users.slice(i, i + BATCH);
    await db.write(`INSERT INTO users (id, name) SELECT id, 'user-' || id FROM unnest($1::bigint[]) AS id`, [ids]);
  }
  for (let i = 0; i < population.conversations.length; i += BATCH) {
    const slice = population.conversations.slice(i, i + BATCH);
    await db.write(`INSERT INTO conversations (id, kind) SELECT * FROM unnest($1::bigint[], $2::text[])`, [
      slice.map((conversation) => conversation.id),
      slice.map((conversation) => conversation.kind),
    ]);
  }
  const memberConversation: number[] = [];
  const memberUser: number[] = [];
  const flush = async () => {
    if (!memberUser.length) return;
    await db.write('INSERT INTO members (conversation_id, user_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])', [memberConversation, memberUser]);
    memberConversation.length = 0;
    memberUser.length = 0;
  };
  for (const conversation of population.conversations) {
    for (const member of conversation.members) {
      memberConversation.push(conversation.id);
      memberUser.push(member);
      if (memberUser.length >= BATCH) await flush();
    }
  }
  await flush();
}
