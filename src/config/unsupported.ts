// Parts of the v1 contract this build does not carry out yet. A config that uses them is refused
// when it is built (serve, reload, validate) rather than accepted and silently ignored: a block
// plugin that does nothing, or a decision whose signal never runs, would route traffic wrongly.
import type { ConfigIssue } from './issues.js';
import type { Config } from './schema.js';
import { SIGNAL_KINDS, type SignalKind } from './schema/signals.js';

const IMPLEMENTED_PLUGINS: ReadonlySet<string> = new Set(['block', 'headers', 'system_prompt', 'pii']);

/** The signal kinds src/signals/build.ts carries out. */
const IMPLEMENTED_SIGNAL_KINDS: ReadonlySet<SignalKind> = new Set([
  'keyword',
  'regex',
  'context',
  'conversation',
  'domain',
  'jailbreak',
  'embedding',
  'pii',
  'header',
  'language',
]);

export function unsupportedFeatures(cfg: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const notYet = (path: string, what: string) => issues.push({ path, message: `${what} is not implemented in this build` });
  for (const kind of SIGNAL_KINDS) {
    if (!IMPLEMENTED_SIGNAL_KINDS.has(kind) && cfg.signals[kind].length > 0) notYet(`signals.${kind}`, `the ${kind} signal`);
  }
  cfg.decisions.forEach((d, i) => {
    for (const [plugin, value] of Object.entries(d.plugins)) {
      if (value !== undefined && !IMPLEMENTED_PLUGINS.has(plugin)) notYet(`decisions[${i}].plugins.${plugin}`, `the ${plugin} plugin`);
    }
  });
  if (cfg.state.backend !== 'memory') notYet('state.backend', `state backend ${cfg.state.backend}`);
  if (cfg.telemetry.tracing.otlp_endpoint !== '') notYet('telemetry.tracing.otlp_endpoint', 'tracing');
  return issues;
}
