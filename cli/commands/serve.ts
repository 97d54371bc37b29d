// `chatbench serve`: the reference chat server for one model, in the foreground until SIGINT or
// SIGTERM, for real clients and external drivers (k6). Prints where to connect and how to get
// a token, since the server accepts no connection without one.
import type { Command } from 'commander';
import { RedisUnavailableError } from '../../reference-server/cluster/redis-connect.ts';
import { PostgresStartError } from '../../reference-server/db/postgres.ts';
import { getModel, modelIds } from '../../reference-server/models/registry.ts';
import { ModelOptionError, resolveModelOptions } from '../../reference-server/models/options.ts';
import { SERVE_DEFAULTS, ServeError, serve, type ServeHandle } from '../../reference-server/serve.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import type { CommandRegistrar } from './index.ts';

interface ServeCliOptions {
  model: string;
  port: string;
  host: string;
  pgUrl?: string;
  secret?: string;
  demo: boolean;
  redisUrl?: string;
  nodeId: string;
  modelOpt: string[];
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const register: CommandRegistrar = (program: Command) => {
  program
    .command('serve')
    .description('run the reference chat server for one model until SIGINT/SIGTERM')
    .requiredOption('--model <id>', `storage model (${modelIds().join(', ')})`)
    .option('--port <n>', 'port to listen on (0 picks a free one)', String(SERVE_DEFAULTS.port))
    .option('--host <host>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--pg-url <url>', 'serve from this database, migrated in place and kept (default: a fresh database on embedded Postgres)')
    .option('--secret <secret>', 'HMAC secret for connection tokens (default: $CHATBENCH_SECRET, else a random one)')
    .option('--no-demo', 'do not add demo users 1-4 and two conversations to a database without users')
    .option('--redis-url <url>', 'cluster mode: share sessions, presence and routing with other nodes through this Redis (env CHATBENCH_REDIS_URL)')
    .option('--node-id <id>', 'this node\'s id in a cluster (distinct per node)', SERVE_DEFAULTS.nodeId)
    .option('--model-opt <model.option=value>', 'a model option, e.g. write-behind.flushMs=500 (repeatable; see chatbench list)', (value: string, previous: string[]) => [...previous, value], [])
    .action(async (options: ServeCliOptions) => {
      const model = parseModel(options.model);
      const modelOptions = parseModelOpts(options.modelOpt, model.id);
      const port = parsePort(options.port);
      const secret = options.secret ?? process.env.CHATBENCH_SECRET;
      if (secret !== undefined && secret.length === 0) throw new UsageError('--secret must not be empty');

      // Handlers go in before anything starts: a signal during start-up still gets an orderly stop
      // instead of the default kill, which would leave embedded Postgres running.
      let stopRequested: NodeJS.Signals | undefined;
      let wake: () => void = () => {};
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopRequested) {
          process.stderr.write(`chatbench serve: already stopping (${signal} again)\n`);
          return;
        }
        stopRequested = signal;
        wake();
      };
      for (const signal of SIGNALS) process.on(signal, onSignal);
      try {
        let handle: ServeHandle;
        try {
          handle = await serve({
            model,
            modelOptions,
            port,
            host: options.host,
            pgUrl: options.pgUrl,
            secret,
            demo: options.demo,
            redisUrl: options.redisUrl ?? process.env.CHATBENCH_REDIS_URL,
            nodeId: parseNodeId(options.nodeId),
            log: (line) => process.stderr.write(`chatbench serve: ${line}\n`),
          });
        } catch (error) {
          if (error instanceof ServeError || error instanceof PostgresStartError || error instanceof RedisUnavailableError) throw new CliError(error.message);
          if ((error as { code?: string }).code === 'EADDRINUSE') throw new CliError(`--port ${port}: address already in use on ${options.host}`);
          throw error;
        }
        if (!stopRequested) {
          process.stdout.write(banner(handle, options.secret === undefined && process.env.CHATBENCH_SECRET === undefined));
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        process.stderr.write(`chatbench serve: ${stopRequested}, stopping\n`);
        await handle.stop();
        process.stderr.write('chatbench serve: stopped\n');
      } finally {
        for (const signal of SIGNALS) process.off(signal, onSignal);
      }
    });
};
export default register;

function parseModel(id: string) {
  if (!modelIds().includes(id)) throw new UsageError(`--model: unknown model "${id}"; valid models: ${modelIds().join(', ')}`);
  return getModel(id);
}

function parseModelOpts(entries: string[], modelId: string): Record<string, number> {
  try {
    return resolveModelOptions(entries, [modelId])[modelId]!;
  } catch (error) {
    if (error instanceof ModelOptionError) throw new UsageError(error.message);
    throw error;
  }
}

/** node ids name Redis channels and keys: keep them to a safe alphabet */
export function parseNodeId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)) throw new UsageError(`--node-id must be 1-64 letters, digits, "-" or "_", got ${JSON.stringify(value)}`);
  return value;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

function banner(handle: ServeHandle, randomSecret: boolean): string {
  const lines = [
    `chatbench serve: model ${handle.server.metrics().model}, ${handle.database.description}`,
    `  ws       ${handle.url}/?token=<token>   (or header "Authorization: Bearer <token>")`,
    `  metrics  ${handle.metricsUrl}`,
    `  secret   ${handle.secret}${randomSecret ? '   (random for this process; pass --secret to keep tokens valid across restarts)' : ''}`,
    `  token    chatbench token <userId> --secret <secret>`,
  ];
  if (handle.demo) {
    const conversations = handle.demo.conversations.map((c) => `${c.id} = ${c.kind}(${c.members.join(',')})`).join(', ');
    lines.push(`  demo     users ${handle.demo.users.join(', ')}; conversations ${conversations}`);
    for (const user of handle.demo.users) lines.push(`  user ${user}   ${handle.url}/?token=${handle.token(user)}`);
  }
  lines.push('Ctrl-C (SIGINT) or SIGTERM stops the server and everything it started.', '');
  return lines.join('\n');
}
