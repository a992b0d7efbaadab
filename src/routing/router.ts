// A compiled, immutable snapshot of the routing config: signals, decisions in evaluation order and
// model lookups. A stream keeps the Router it started with; a reload builds a new one.
import type { Config, DecisionConfig, ModelConfig } from '../config/schema.js';
import type { RoutingRequest } from '../protocol/ir.js';
import { keywordSignal } from '../signals/keyword.js';
import { runSignals } from '../signals/run.js';
import type { Signal, SignalObserver, SignalResult } from '../signals/types.js';
import { evaluateRule, ruleSignalNames } from './rules.js';

export type BlockConfig = NonNullable<DecisionConfig['plugins']['block']>;
export type HeadersPluginConfig = NonNullable<DecisionConfig['plugins']['headers']>;

export interface RouteChoice {
  /** The decision that matched, the default decision, or "default" when none is configured. */
  decision: string;
  model: ModelConfig;
  /** Set when the decision refuses the request (block plugin) instead of forwarding it. */
  block?: BlockConfig;
  /** Headers the decision sets on / removes from the upstream request (headers plugin). */
  headers?: HeadersPluginConfig;
  confidence: number;
  signals: ReadonlyMap<string, SignalResult>;
}

/** What the request's "model" field asks for. */
export type ModelRequest = { kind: 'auto' } | { kind: 'explicit'; model: ModelConfig } | { kind: 'unknown' };

interface CompiledDecision {
  config: DecisionConfig;
  /** The first candidate; a block-only decision has none and reports the default model. */
  model: ModelConfig | undefined;
}

export class Router {
  private readonly modelsByName = new Map<string, ModelConfig>();
  private readonly autoNames: ReadonlySet<string>;
  private readonly decisions: CompiledDecision[];
  private readonly fallback: { decision: string; model: ModelConfig };
  /** Only the signals some decision reads. */
  private readonly signals: Signal[];

  /** `signals`: built by buildSnapshot; when absent, the keyword signals are built here (tests). */
  constructor(
    readonly config: Config,
    signals?: Signal[],
    private readonly observer?: SignalObserver,
  ) {
    for (const m of config.models) this.modelsByName.set(m.name, m);
    // Clients may also name the backend's served name; the configured name wins on a clash.
    for (const m of config.models) {
      if (m.served_name && !this.modelsByName.has(m.served_name)) this.modelsByName.set(m.served_name, m);
    }
    this.autoNames = new Set(config.routing.auto_model_names);

    // Highest priority first; equal priorities keep config order (Array.prototype.sort is stable).
    this.decisions = [...config.decisions]
      .sort((a, b) => b.priority - a.priority)
      .map((d) => ({ config: d, model: d.models[0] ? this.model(d.models[0].model) : undefined }));

    const { default_decision, default_model } = config.routing;
    const def = default_decision ? this.decisions.find((d) => d.config.name === default_decision) : undefined;
    // The references check guarantees the default decision has a model.
    this.fallback = def?.model
      ? { decision: def.config.name, model: def.model }
      : { decision: 'default', model: this.model(default_model ?? config.models[0]!.name) };

    const used = new Set<string>();
    for (const d of config.decisions) ruleSignalNames(d.rules, used);
    this.signals = signals ?? config.signals.keyword.filter((s) => used.has(s.name)).map((s) => keywordSignal(s));
  }

  private model(name: string): ModelConfig {
    const m = this.modelsByName.get(name);
    if (!m) throw new Error(`unknown model ${name} (config was not validated)`);
    return m;
  }

  resolveModel(requested: string): ModelRequest {
    if (this.autoNames.has(requested)) return { kind: 'auto' };
    const model = this.modelsByName.get(requested);
    return model ? { kind: 'explicit', model } : { kind: 'unknown' };
  }

  get defaultRoute(): { decision: string; model: ModelConfig } {
    return this.fallback;
  }

  async decide(ir: RoutingRequest): Promise<RouteChoice> {
    return this.choose(await runSignals(this.signals, ir, this.observer));
  }

  /** The decision step alone: the first decision, in priority order, whose rule matches. */
  choose(results: ReadonlyMap<string, SignalResult>): RouteChoice {
    for (const d of this.decisions) {
      const r = evaluateRule(d.config.rules, results);
      if (!r.matched) continue;
      const { block, headers } = d.config.plugins;
      return {
        decision: d.config.name,
        model: d.model ?? this.fallback.model,
        ...(block ? { block } : {}),
        ...(headers ? { headers } : {}),
        confidence: r.confidence,
        signals: results,
      };
    }
    return { ...this.fallback, confidence: 0, signals: results };
  }
}
