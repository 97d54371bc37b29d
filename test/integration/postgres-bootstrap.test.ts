import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('embedded Postgres', () => {
  it('starts, stops, and leaves the process exit code alone (a failed gate must not exit 0)', () => {
    const script = `
      import { startEmbeddedPostgres } from './reference-server/db/postgres.ts';
      const pg = await startEmbeddedPostgres();
      await pg.stop();
      process.exitCode = 3;`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/TypeError/);
    expect(result.status).toBe(3);
  });
});
