// Config problems: each with the exact path in the document and a message.

export interface ConfigIssue {
  /** e.g. decisions[2].rules.any[0]; "(root)" or a file name when there is no path. */
  path: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.path}: ${i.message}`;
}

export class ConfigError extends Error {
  constructor(
    readonly summary: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${summary}:\n  ${issues.map(formatIssue).join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Renders a zod-style path: ['decisions', 2, 'rules'] → decisions[2].rules */
export function pathString(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
