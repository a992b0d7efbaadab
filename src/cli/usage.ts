/** A command line that cannot be run as given: exit 2 with the usage text. */
export class UsageError extends Error {}
