import { afterAll, inject } from 'vitest';
import { createDatabase } from '../../reference-server/db/postgres.ts';

/** A fresh database for this test file, dropped when the file's tests end. */
export async function freshDatabase(): Promise<string> {
  const db = await createDatabase(inject('pgAdminUrl'), 'cbtest');
  afterAll(() => db.drop());
  return db.url;
}
