// Loaded with `node --import` in front of the CLI: loading chDB fails the process, so a run that
// claims to store nothing (--no-store) can be held to never loading the library.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'chdb' || specifier.startsWith('chdb/')) throw new Error('forbidden: chdb was loaded');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
