// Parts of the v1 contract this build does not carry out yet. A config that uses them is refused
// when it is built (serve, reload, validate) rather than accepted and silently ignored. Every part
// of the v1 contract is carried out now (tracing was the last one); the check stays for the next.
import type { ConfigIssue } from './issues.js';
import type { Config } from './schema.js';

export function unsupportedFeatures(_cfg: Config): ConfigIssue[] {
  return [];
}
