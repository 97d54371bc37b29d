// One Postgres for the whole test run: CHATBENCH_PG_URL when set (as CI may), else embedded.
// Each integration test file then makes its own fresh database on it (test/support/db.ts).
import type { TestProject } from 'vitest/node';
import { connectPostgres, type PostgresHandle } from '../reference-server/db/postgres.ts';

let handle: PostgresHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  handle = await connectPostgres(process.env.CHATBENCH_PG_URL);
  project.provide('pgAdminUrl', handle.url);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
