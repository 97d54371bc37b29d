// A model's own fresh database on a Postgres server: created, migrated, and its setup writes
// counted, so the database's tuple counters can be checked against the query layer later.
import pg from 'pg';
import { tolerateIdleErrors } from './db/connection-loss.ts';
import { createDatabase } from './db/postgres.ts';
import { migrate } from './db/migrate.ts';
import { CountingDb } from './db/query-layer.ts';
import type { ModelDefinition } from './models/types.ts';

export interface ModelDatabase {
  url: string;
  name: string;
  /** counts setup statements (migrations, seeding) made from this process */
  setup: CountingDb;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function prepareModelDatabase(adminUrl: string, model: Pick<ModelDefinition, 'id' | 'migrationsDir'>, poolSize = 4): Promise<ModelDatabase> {
  // a database name is an identifier: model ids may hold '-'
  const database = await createDatabase(adminUrl, `chatbench_${model.id.replace(/-/g, '_')}`);
  const pool = tolerateIdleErrors(new pg.Pool({ connectionString: database.url, max: poolSize }));
  const setup = new CountingDb(pool);
  try {
    await migrate(setup.for('setup'), model);
  } catch (error) {
    await pool.end();
    await database.drop();
    throw error;
  }
  let dropped = false;
  return {
    url: database.url,
    name: database.name,
    setup,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end().catch(() => {});
      await database.drop();
    },
  };
}
