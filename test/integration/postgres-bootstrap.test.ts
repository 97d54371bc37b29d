import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('embedded Postgres', () => {
  it('starts and stops (twice in one process) and leaves the exit code alone (a failed gate must not exit 0)', () => {
    const script = `
      import { startEmbeddedPostgres } from './reference-server/db/postgres.ts';
      // twice in one process, as a benchmark or a sweep without --pg-url does
      for (let i = 0; i < 2; i++) await (await startEmbeddedPostgres()).stop();
      process.exitCode = 3;`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/TypeError/);
    expect(result.status).toBe(3);
  });
});
