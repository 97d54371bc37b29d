// `chatbench token`: mints the connection token the reference server expects for a user, from
// the same secret the server was started with.
import type { Command } from 'commander';
import { mintToken } from '../../reference-server/auth.ts';
import { UsageError } from '../exit-codes.ts';
import type { CommandRegistrar } from './index.ts';

const register: CommandRegistrar = (program: Command) => {
  program
    .command('token')
    .description('print the connection token for a user of a server started with this secret')
    .argument('<userId>', 'the user the token lets a client act as')
    .option('--secret <secret>', 'the server\'s HMAC secret (default: $CHATBENCH_SECRET)')
    .action((userId: string, options: { secret?: string }) => {
      const id = Number(userId);
      if (!/^[1-9][0-9]{0,15}$/.test(userId) || !Number.isSafeInteger(id)) {
        throw new UsageError(`<userId> must be a positive integer, got ${JSON.stringify(userId)}`);
      }
      const secret = options.secret ?? process.env.CHATBENCH_SECRET;
      if (!secret) throw new UsageError('--secret is required (or set CHATBENCH_SECRET): the one the server was started with');
      process.stdout.write(`${mintToken(secret, id)}\n`);
    });
};
export default register;
