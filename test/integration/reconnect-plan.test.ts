// The watermark reconnect query at storm size, after the setup a run does (seed, bulk history,
// ANALYZE): index lookups, not full scans, and still so once the server's named prepared
// statement has run often enough for Postgres to consider a generic plan.
import { describe, expect, inject, it } from 'vitest';
import { importHistory } from '../../reference-server/db/history.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase } from '../../reference-server/instance.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { MODELS } from '../../reference-server/models/registry.ts';
import { standaloneContext } from '../../reference-server/models/types.ts';
import { resolveParams } from '../../scenarios/define.ts';
import { SCENARIOS } from '../../scenarios/registry.ts';

const USERS = 4000;

describe('watermark statusSince at storm size', () => {
  it('uses index lookups after the run setup ANALYZE, custom and generic plans alike', async () => {
    const definition = SCENARIOS['mass-reconnect']!;
    const plan = definition.plan(resolveParams(definition, [`users=${USERS}`, 'conversations=5', 'changes=3']) as never, 1);
    // one connection: the named statement, its plan cache and the EXPLAIN share a session
    const database = await prepareModelDatabase(inject('pgAdminUrl'), MODELS.watermark!, 1);
    try {
      const setup = database.setup.for('setup');
      await seedPopulation(setup, { users: plan.users, conversations: plan.conversations });
      const model = MODELS.watermark!.create(standaloneContext(database.setup, defaultOptions('watermark')));
      const byId = new Map(plan.conversations.map((conversation) => [conversation.id, conversation]));
      const history = plan.phases.flatMap((phase) => phase.history ?? []);
      await importHistory(setup, model, history.map((item) => ({ conversation: byId.get(item.conversationId)!, senderId: item.senderId, messages: item.messages })));
      await database.pool.query('ANALYZE');
      const conversationsOf = (userId: number) => plan.conversations.filter((conversation) => conversation.members[0] === userId).map((conversation) => ({ ...conversation, members: [...conversation.members] }));
      for (let userId = 1; userId <= 12; userId++) {
        expect(await model.statusSince(database.setup.for('reconnect'), userId, conversationsOf(userId), 0)).toHaveLength(5);
      }
      const { rows } = await database.pool.query<{ name: string; generic_plans: string; custom_plans: string }>(
        "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM members m%LEFT JOIN message_status%'",
      );
      expect(rows).toHaveLength(1);
      const ids = conversationsOf(13).map((conversation) => conversation.id);
      const explained = await database.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${rows[0]!.name}(13, '{${ids.join(',')}}', 0)`);
      const text = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).not.toMatch(/Seq Scan on (members|message_status)/);
      await database.pool.query('SET plan_cache_mode = force_generic_plan');
      const generic = await database.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${rows[0]!.name}(13, '{${ids.join(',')}}', 0)`);
      expect(generic.rows.map((row) => row['QUERY PLAN']).join('\n')).not.toMatch(/Seq Scan on (members|message_status)/);
    } finally {
      await database.drop();
    }
  });
});
