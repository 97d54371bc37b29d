import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { CliError, EXIT, UsageError } from './exit-codes.ts';
import { loadModelModulesFromEnv, MODEL_MODULES_ENV, ModelModuleError } from '../reference-server/models/registry.ts';

async function main(argv: string[]): Promise<number> {
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
  process.stderr.write(`chatbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failure;
}

const code = await main(process.argv);
// Let pending output drain; open handles (pools, sockets) must already be closed by the commands.
process.exitCode = code;
