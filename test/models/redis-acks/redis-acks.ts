// A test model that asks for Redis: watermark's storage, plus a count of every ack it handled kept
// in Redis. It proves the capability seam: the run gets a Redis, every server node (and the run
// engine's own instance) hands the model a live connection, and an ack fails if it has none.
import { fileURLToPath } from 'node:url';
import type { ModelDefinition, ReceiptModel } from '../../../reference-server/models/types.ts';
import { watermark, watermarkReceipts } from '../../../reference-server/models/watermark/watermark.ts';

export const ACK_COUNT_KEY = 'chatbench-test:redis-acks:count';

const redisAcks: ModelDefinition = {
  ...watermark,
  id: 'redis-acks',
  description: 'watermark, counting every ack in Redis (test model)',
  design: 'a model whose state partly lives in Redis, to test that nodes hand it a connection',
  migrationsDir: fileURLToPath(new URL('../../../reference-server/models/watermark/', import.meta.url)),
  capabilities: { redis: true },
  create(context) {
    const redis = context.redis;
    if (!redis) throw new Error('redis-acks: created without a Redis connection');
    const model: ReceiptModel = {
      ...watermarkReceipts,
      id: 'redis-acks',
      async acknowledge(db, ack) {
        await redis.incr(ACK_COUNT_KEY);
        return watermarkReceipts.acknowledge(db, ack);
      },
    };
    return model;
  },
};

export default redisAcks;
