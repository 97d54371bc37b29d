import { describe, expect, it } from 'vitest';
import { resolveStoreOptions, STORE_DEFAULTS, StoreOptionError } from '../../../analysis/store/index.ts';

describe('store options', () => {
  it('defaults to embedded chDB under .chatbench/store', () => {
    expect(resolveStoreOptions({}, {})).toMatchObject({ kind: 'chdb', dataDir: STORE_DEFAULTS.dataDir, lockTimeoutMs: 10_000 });
  });

  it('takes the store from the environment, options first', () => {
    expect(resolveStoreOptions({}, { CHATBENCH_STORE_DIR: '/x' })).toMatchObject({ kind: 'chdb', dataDir: '/x' });
    expect(resolveStoreOptions({ dataDir: '/y' }, { CHATBENCH_STORE_DIR: '/x' })).toMatchObject({ dataDir: '/y' });
    expect(resolveStoreOptions({}, { CHATBENCH_CLICKHOUSE_URL: 'http://127.0.0.1:8123' })).toMatchObject({ kind: 'clickhouse', clickhouseUrl: 'http://127.0.0.1:8123' });
    expect(resolveStoreOptions({ clickhouseUrl: 'https://h:8443' }, { CHATBENCH_CLICKHOUSE_URL: 'http://x' })).toMatchObject({ clickhouseUrl: 'https://h:8443' });
    expect(resolveStoreOptions({}, { CHATBENCH_CLICKHOUSE_URL: '' })).toMatchObject({ kind: 'chdb' });
  });

  it.each([
    [{ clickhouseUrl: 'not a url' }, {}, 'clickhouseUrl "not a url" is not a URL'],
    [{ clickhouseUrl: 'ftp://h' }, {}, 'must use http or https'],
    [{}, { CHATBENCH_CLICKHOUSE_URL: 'tcp://h:9000' }, 'CHATBENCH_CLICKHOUSE_URL "tcp://h:9000" must use http or https'],
    [{ clickhouseUrl: 'http://h', dataDir: '/x' }, {}, 'dataDir applies to the embedded chDB store only'],
    [{ dataDir: '' }, {}, 'dataDir must not be empty'],
    [{ clickhouseUrl: ' ' }, {}, 'clickhouseUrl must not be empty'],
    [{ lockTimeoutMs: -1 }, {}, 'lockTimeoutMs must be a non-negative number'],
    [{ lockTimeoutMs: Number.NaN }, {}, 'lockTimeoutMs'],
  ])('rejects %j (env %j), naming the option', (options, env, message) => {
    expect(() => resolveStoreOptions(options, env)).toThrow(StoreOptionError);
    expect(() => resolveStoreOptions(options, env)).toThrow(message);
  });
});
