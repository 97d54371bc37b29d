// Starts a reference server for one model on a fresh database with a small population.
import { inject, onTestFinished } from 'vitest';
import { mintToken } from '../../reference-server/auth.ts';
import { seedPopulation, type Population } from '../../reference-server/db/seed.ts';
import { readTupleCounters } from '../../reference-server/db/truth.ts';
import { prepareModelDatabase, type ModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';
import { defaultOptions } from '../../reference-server/models/options.ts';
import { standaloneContext, type ConversationMeta } from '../../reference-server/models/types.ts';
import type { Tick } from '../../reference-server/protocol.ts';
import { startChatServer, type ChatServer, type ChatServerOptions } from '../../reference-server/server.ts';
import { TestClient } from './ws-client.ts';

export const SECRET = 'test-secret';

export interface RunningServer {
  server: ChatServer;
  database: ModelDatabase;
  connect(userId: number): Promise<TestClient>;
  /** the stored ticks of a conversation, after the server drained what its model buffers */
  storedTicks(conversation: ConversationMeta): Promise<Map<number, Tick>>;
  /** stops the server and pools, then returns app-side and database-side row counts */
  finish(): Promise<{ appRowsWritten: number; tuplesWritten: number; tables: Record<string, { ins: number; upd: number; del: number }> }>;
}

export async function startTestServer(modelId: string, population: Population, options: Partial<ChatServerOptions> = {}): Promise<RunningServer> {
  const model = getModel(modelId);
  const database = await prepareModelDatabase(inject('pgAdminUrl'), model);
  await seedPopulation(database.setup.for('setup'), population);
  const server = await startChatServer({ model, pool: database.pool, secret: SECRET, port: 0, ...options }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const modelOptions = { ...defaultOptions(modelId), ...options.modelOptions };
  const clients: TestClient[] = [];
  let finished = false;
  // called inside a test: clean up when that test ends (an afterAll registered here would never run)
  onTestFinished(async () => {
    if (!finished) await server.close();
    await database.drop();
  });
  return {
    server,
    database,
    async connect(userId) {
      const client = await TestClient.connect(server.url, mintToken(SECRET, userId));
      clients.push(client);
      return client;
    },
    async storedTicks(conversation) {
      await server.drain();
      const reader = model.create(standaloneContext(database.setup, modelOptions));
      try {
        return await reader.ticks(database.setup.for('setup'), conversation);
      } finally {
        await reader.close?.();
      }
    },
    async finish() {
      finished = true;
      // what a buffering model holds is written before the counters are read, as a run does
      await server.drain();
      const serverRows = Object.values(server.metrics().db).reduce((sum, counters) => sum + counters.rowsWritten, 0);
      for (const client of clients) client.close();
      await server.close();
      await database.pool.end();
      const truth = await readTupleCounters(database.url);
      return { appRowsWritten: serverRows + database.setup.totalRowsWritten(), tuplesWritten: truth.tuplesWritten, tables: truth.tables };
    },
  };
}
