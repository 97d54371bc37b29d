import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers (Postgres, chDB, ClickHouse, k6): one file at a time
    // per worker, with time for start-up on a shared 2-core machine.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    // the test folder's own model joins the registry in every test file (see test/setup/models.ts)
    setupFiles: ['test/setup/models.ts'],
  },
});
