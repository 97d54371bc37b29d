// `npm run fuzz`: the protocol fuzz at size against an in-process reference server on a fresh
// database (embedded Postgres, or CHATBENCH_PG_URL). Prints frames/s, errors by code and the
// acked-lost count; exits 1 when anything acked was lost, a code was undocumented or a frame
// failed as `internal`.
//   CHATBENCH_FUZZ_FRAMES (default 100000)  CHATBENCH_FUZZ_SEED (default: from the clock, printed)
//   CHATBENCH_FUZZ_MODEL (default naive)    CHATBENCH_FUZZ_CONNECTIONS (default 6)
import { mintToken } from '../../reference-server/auth.ts';
import { connectPostgres } from '../../reference-server/db/postgres.ts';
import { seedPopulation } from '../../reference-server/db/seed.ts';
import { prepareModelDatabase } from '../../reference-server/instance.ts';
import { getModel } from '../../reference-server/models/registry.ts';
import { startChatServer } from '../../reference-server/server.ts';
import { FUZZ_SERVER_LIMITS, formatFuzzReport, fuzzPopulation, fuzzServer } from './protocol-fuzz.ts';

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

async function main(): Promise<number> {
  const frames = positiveInteger('CHATBENCH_FUZZ_FRAMES', 100_000);
  const seed = positiveInteger('CHATBENCH_FUZZ_SEED', Date.now() % 1_000_000_000);
  const fuzzers = positiveInteger('CHATBENCH_FUZZ_CONNECTIONS', 6);
  const model = getModel(process.env.CHATBENCH_FUZZ_MODEL || 'naive');
  const postgres = await connectPostgres(process.env.CHATBENCH_PG_URL);
  const secret = 'fuzz-secret';
  try {
    const database = await prepareModelDatabase(postgres.url, model);
    try {
      await seedPopulation(database.setup.for('setup'), fuzzPopulation(fuzzers));
      const server = await startChatServer({ model, pool: database.pool, secret, port: 0, ...FUZZ_SERVER_LIMITS });
      try {
        process.stdout.write(`fuzzing model ${model.id} with ${frames.toLocaleString('en-US')} frames from ${fuzzers} connections, seed ${seed}\n`);
        const report = await fuzzServer(
          { url: server.url, token: (userId) => mintToken(secret, userId), pool: database.pool, drain: () => server.drain() },
          { frames, fuzzers, seed, log: (line) => process.stderr.write(`  ${line}\n`) },
        );
        const internal = server.metrics().errors.internal ?? 0;
        process.stdout.write(`${formatFuzzReport(report)}\ninternal errors   ${internal}\n`);
        return report.ackedLost.length || report.undocumented.length || internal ? 1 : 0;
      } finally {
        await server.close();
      }
    } finally {
      await database.pool.end();
      await database.drop();
    }
  } finally {
    await postgres.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
