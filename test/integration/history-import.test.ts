// Bulk history over every registered model: what the import leaves is what live sends, deliveries
// and reads would have left (every message read, every tick 'read', conversations' last seqs),
// whether a model sets its columns with the insert (historyColumns) or afterwards; a model naming
// a column that is no plain identifier gets an error naming it, and nothing is stored.
import { describe, expect, inject, it } from 'vitest';
import { importHistory } from '../../reference-server/db/history.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase } from '../../reference-server/instance.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { standaloneContext, type ConversationMeta, type HistoryImport } from '../../reference-server/models/types.ts';

const conversations: ConversationMeta[] = [
  { id: 1, kind: 'direct', members: [1, 2] },
  { id: 2, kind: 'direct', members: [3, 1] },
  { id: 3, kind: 'group', members: [1, 2, 3, 4] },
];
const history: HistoryImport[] = [
  { conversation: conversations[0]!, senderId: 1, messages: 4 },
  { conversation: conversations[1]!, senderId: 3, messages: 2 },
  { conversation: conversations[2]!, senderId: 2, messages: 3 },
];

describe.each(Object.keys(MODELS))('imported history, model %s', (modelId) => {
  it('leaves every message read, as live acks would have', async () => {
    const database = await prepareModelDatabase(inject('pgAdminUrl'), MODELS[modelId]!);
    try {
      const setup = database.setup.for('setup');
      await seedPopulation(setup, { users: [1, 2, 3, 4], conversations });
      const model = MODELS[modelId]!.create(standaloneContext(database.setup, defaultOptions(modelId)));
      await importHistory(setup, model, history);
      await model.flush?.();
      for (const item of history) {
        const ticks = await model.ticks(database.setup.for('check'), item.conversation);
        expect({ conversation: item.conversation.id, ticks: [...ticks].sort(([a], [b]) => a - b) }).toEqual({
          conversation: item.conversation.id,
          ticks: Array.from({ length: item.messages }, (_, index) => [index + 1, 'read']),
        });
      }
      const { rows } = await database.pool.query<{ id: string; last_seq: string }>('SELECT id, last_seq FROM conversations ORDER BY id');
      expect(rows.map((row) => [Number(row.id), Number(row.last_seq)])).toEqual([[1, 4], [2, 2], [3, 3]]);
      await model.close?.();
    } finally {
      await database.drop();
    }
  });
});

describe('a model naming a bad history column', () => {
  it('is told which column, and nothing is stored', async () => {
    const database = await prepareModelDatabase(inject('pgAdminUrl'), MODELS.naive!);
    try {
      const setup = database.setup.for('setup');
      await seedPopulation(setup, { users: [1, 2, 3, 4], conversations });
      const naive = MODELS.naive!.create(standaloneContext(database.setup, defaultOptions('naive')));
      // the direct conversations' set is fine; the group's names a column that would be SQL
      const model = { ...naive, historyColumns: (conversation: ConversationMeta) => (conversation.kind === 'group' ? { 'status; DROP TABLE messages': '2' } : naive.historyColumns?.(conversation)) };
      await expect(importHistory(setup, model, history)).rejects.toThrow('history column "status; DROP TABLE messages": not a plain lower-case SQL identifier');
      const { rows } = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM messages');
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
