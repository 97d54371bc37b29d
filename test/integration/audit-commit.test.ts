// An audited frame holds its answers until its transaction commits. When the commit does not
// happen (a statement failed and aborted the transaction, which COMMIT then answers with
// ROLLBACK), the frame must fail, so its held ack is dropped and the client gets an error instead
// of an ack for a write that was undone.
import { inject, describe, expect, it } from 'vitest';
import { AttributionAudit } from '../../reference-server/db/audit.ts';
import { CountingDb } from '../../reference-server/db/query-layer.ts';
import { prepareModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';

describe('audited frame commit', () => {
  it('rejects finish() when the transaction was rolled back, and resolves when it committed', async () => {
    const database = await prepareModelDatabase(inject('pgAdminUrl'), getModel('naive'));
    try {
      const audit = new AttributionAudit(new CountingDb(database.pool), database.pool, 1);
      const good = await audit.begin('send');
      await good.scope.for('send').read('SELECT 1');
      await expect(good.finish()).resolves.toBeUndefined();

      const bad = await audit.begin('send');
      // a handler that caught its failed statement and went on to answer
      await bad.scope.for('send').read('SELECT 1/0').catch(() => {});
      await expect(bad.finish()).rejects.toThrow(/aborted/);
      // idempotent: the same outcome for every caller that waits on it
      await expect(bad.finish()).rejects.toThrow(/aborted/);
      // the connection went back to the pool usable
      expect((await database.pool.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await database.pool.end();
      await database.drop();
    }
  });
});
