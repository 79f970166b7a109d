/** A mistake in the command line or the config: one line on stderr, exit 2, no stack. */
export class UsageError extends Error {}
