// Scripts and CI rely on these (SPEC.md "Command line"): a failed gate is not a crash.
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  gateFailed: 3,
} as const;

/** A mistake in how chatbench was called: exits 2 with this message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user should see as a one-line message, not a stack trace: exits 1. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}
