// Parts of the v1 contract this build does not carry out yet. A config that uses them is refused
// when it is built (serve, reload, validate) rather than accepted and silently ignored.
import type { ConfigIssue } from './issues.js';
import type { Config } from './schema.js';

export function unsupportedFeatures(cfg: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.telemetry.tracing.otlp_endpoint !== '') {
    issues.push({ path: 'telemetry.tracing.otlp_endpoint', message: 'tracing is not implemented in this build' });
  }
  return issues;
}
