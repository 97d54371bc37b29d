// Numbered SQL migrations: the common schema, then the model's own. Applied once, in order.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ActionDb } from './query-layer.ts';
import type { ModelDefinition } from '../models/types.ts';

const COMMON_DIR = fileURLToPath(new URL('../migrations/common/', import.meta.url));
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((file) => MIGRATION_FILE.test(file)).sort();
}

/** Applies what is missing; model migrations are recorded under the model's id, so two models never share a row. */
export async function migrate(db: ActionDb, model: Pick<ModelDefinition, 'id' | 'migrationsDir'>): Promise<string[]> {
  await db.schema('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY)');
  const done = new Set((await db.read<{ id: string }>('SELECT id FROM schema_migrations')).map((row) => row.id));
  const applied: string[] = [];
  for (const [scope, dir] of [['common', COMMON_DIR], [model.id, model.migrationsDir]] as const) {
    for (const file of await migrationFiles(dir)) {
      const id = `${scope}/${file}`;
      if (done.has(id)) continue;
      const sql = await readFile(join(dir, file), 'utf8');
      await db.transaction(async (tx) => {
        await tx.schema(sql);
        await tx.write('INSERT INTO schema_migrations (id) VALUES ($1)', [id]);
      });
      applied.push(id);
    }
  }
  return applied;
}
