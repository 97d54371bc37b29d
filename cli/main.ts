import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { CliError, EXIT, UsageError } from './exit-codes.ts';
import { loadModelModulesFromEnv, MODEL_MODULES_ENV, ModelModuleError } from '../reference-server/models/registry.ts';

/** `--debug` anywhere: failures print their stack trace; otherwise one line each. */
const DEBUG_FLAG = '--debug';
let debug = false;

async function main(argv: string[]): Promise<number> {
  debug = argv.includes(DEBUG_FLAG);
  argv = argv.filter((arg) => arg !== DEBUG_FLAG);
  const program = new Command('chatbench')
    .description('Measure what a read-receipt storage design costs: naive per-message status, watermarks, write-behind, hybrid, ...')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  // models from outside the source tree join the registry before any command reads it
  try {
    await loadModelModulesFromEnv();
  } catch (error) {
    if (!(error instanceof ModelModuleError)) throw error;
    process.stderr.write(`chatbench: ${MODEL_MODULES_ENV}: ${error.message}\n`);
    return EXIT.usage;
  }
  // loading one command's module (and its dependencies) is much cheaper than loading all of them
  const named = argv[2] && Object.hasOwn(COMMANDS, argv[2]) ? [COMMANDS[argv[2]]!] : Object.values(COMMANDS);
  for (const load of named) (await load())(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version are successes that commander reports by throwing
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`chatbench: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`chatbench: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`chatbench: ${describeFailure(error)}\n`);
  return EXIT.failure;
}

/** An unexpected failure: its first line (and its code when the message is empty), or the stack with --debug. */
function describeFailure(error: unknown): string {
  if (debug) return error instanceof Error ? (error.stack ?? error.message) : String(error);
  const { message, code, name } = (error ?? {}) as { message?: unknown; code?: unknown; name?: unknown };
  const first = typeof message === 'string' ? (message.split('\n').find((line) => line.trim()) ?? '').trim() : '';
  const text = first || (typeof code === 'string' ? code : '') || (typeof name === 'string' ? name : String(error));
  return `${text} (run again with ${DEBUG_FLAG} for the stack trace)`;
}

// A failure outside the command's own promise (an emitter's `error`, a stray rejection) is one
// line too, and an exit code: never a dump of the object that failed.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(`chatbench: ${describeFailure(error)}\n`);
    process.exit(EXIT.failure);
  });
}

const code = await main(process.argv);
// Let pending output drain; open handles (pools, sockets) must already be closed by the commands.
process.exitCode = code;
