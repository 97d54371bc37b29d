// Tools the suite needs besides Node: none is optional. A test file that needs a missing one fails
// at once, naming the command that installs it, instead of skipping (a skipped test is a test a
// new contributor never runs).
export const INSTALL_COMMAND = './scripts/install-test-deps.sh (or npm run test:fresh, which runs it and then npm test)';

export class MissingToolError extends Error {}

/** Throws when `missing` says a tool is absent; call at the top of a test file. */
export function requireTool(tool: string, missing: string | undefined): void {
  if (missing === undefined) return;
  throw new MissingToolError(`${tool} is required by this test file and is missing (${missing}); install it with ${INSTALL_COMMAND}`);
}
