// Everything a stream needs from one config version, built completely before it takes traffic
// (at start and at each hot reload).
import { ConfigError, type ConfigIssue } from '../config/issues.js';
import { usesCache } from '../config/references.js';
import type { Config } from '../config/schema.js';
import { unsupportedFeatures } from '../config/unsupported.js';
import { ModelLoadError, type EmbedderHandle, type InferenceLogger, type ModelHandle } from '../inference/index.js';
import type { ParseLimits } from '../protocol/parse.js';
import { ruleSignalNames } from '../routing/rules.js';
import { LiveEndpointPicker } from '../endpoints/live-picker.js';
import { EndpointPicker, endpointLoadKey } from '../routing/endpoints.js';
import { InflightTracker } from '../routing/load.js';
import { Router } from '../routing/router.js';
import { GuardEngine } from '../state/cache-guard/index.js';
import { buildSignals, modelsForSignals } from '../signals/build.js';
import type { Signal, SignalObserver } from '../signals/types.js';
import { ModelPool, modelSpecFor } from './model-pool.js';
import { anthropicModelsListBody, modelsListBody } from './replies.js';

export interface SnapshotOptions {
  /** The built signals (buildSnapshot); without them only keyword signals run (tests). */
  signals?: Signal[];
  observer?: SignalObserver;
  /** Unix seconds shown as `created` in /v1/models. */
  loadedAt?: number;
  /** Gives the snapshot's models back to the pool when it is replaced. */
  release?: () => void;
  /** The inference models in use, for /readyz. */
  models?: ReadonlyMap<string, ModelHandle>;
  /** Requests in flight per model and endpoint (least_loaded, endpoint mode); shared across reloads. */
  inflight?: InflightTracker;
  /** The semantic cache's embedding model, when some decision caches. */
  cacheEmbedder?: EmbedderHandle;
  /** Scrape and DNS faults of the endpoint picker (logged by the caller, once per interval). */
  onEndpointError?: (message: string) => void;
}

export class RoutingSnapshot {
  readonly router: Router;
  readonly limits: ParseLimits;
  readonly modelsList: Buffer;
  /** The same list in Anthropic's shape. */
  readonly anthropicModelsList: Buffer;
  /** Call when this snapshot is no longer current. */
  readonly release: () => void;
  readonly models: ReadonlyMap<string, ModelHandle>;
  /** Endpoint mode without routing.endpoint_picker: the least-in-flight pick. */
  readonly endpoints: EndpointPicker | undefined;
  /** Endpoint mode with routing.endpoint_picker: live load, prefix, session and LoRA affinity; scraping from construction until release. */
  readonly live: LiveEndpointPicker | undefined;
  /** Embeds the text of semantic cache lookups; undefined: exact matches only. */
  readonly cacheEmbedder: EmbedderHandle | undefined;
  /** Checks every semantic cache candidate before it is served (cache.guard). */
  readonly cacheGuard: GuardEngine;

  constructor(
    readonly config: Config,
    opts: SnapshotOptions = {},
  ) {
    const inflight = opts.inflight;
    this.router = new Router(config, opts.signals, opts.observer, inflight ? { load: (m) => inflight.get(m) } : {});
    const tracker = inflight ?? new InflightTracker();
    const pickerCfg = config.routing.mode === 'endpoint' ? config.routing.endpoint_picker : undefined;
    this.endpoints = config.routing.mode === 'endpoint' && !pickerCfg ? new EndpointPicker(tracker) : undefined;
    this.live = pickerCfg
      ? new LiveEndpointPicker(config, pickerCfg, {
          inflight: (model, ep) => tracker.get(endpointLoadKey(model, ep)),
          ...(opts.onEndpointError ? { onError: opts.onEndpointError } : {}),
        })
      : undefined;
    this.live?.start();
    this.limits = {
      maxBodyBytes: config.security.max_body_bytes,
      maxJsonDepth: config.security.max_json_depth,
      maxMessages: config.security.max_messages,
    };
    const loadedAt = opts.loadedAt ?? Math.floor(Date.now() / 1000);
    this.modelsList = modelsListBody(config, loadedAt);
    this.anthropicModelsList = anthropicModelsListBody(config, loadedAt);
    const release = opts.release ?? (() => undefined);
    const live = this.live;
    this.release = live ? () => (release(), void live.close()) : release;
    this.models = opts.models ?? new Map();
    this.cacheEmbedder = opts.cacheEmbedder;
    this.cacheGuard = new GuardEngine(config.cache.guard);
  }
}

export interface BuildOptions {
  /** Shares loaded models between snapshots; without one, models are loaded and closed here. */
  pool?: ModelPool;
  observer?: SignalObserver;
  logger?: InferenceLogger;
  inflight?: InflightTracker;
  onEndpointError?: (message: string) => void;
}

/**
 * Builds everything a config needs before it takes traffic: unsupported features refused, the
 * inference models that used signals need loaded (and warmed up), the signals built. Throws
 * ConfigError with paths for anything that fails.
 */
export async function buildSnapshot(config: Config, source = 'config', opts: BuildOptions = {}): Promise<RoutingSnapshot> {
  const fail = (issues: ConfigIssue[]) => new ConfigError(`${source} cannot be used`, issues);
  const unsupported = unsupportedFeatures(config);
  if (unsupported.length > 0) throw fail(unsupported);

  const used = new Set<string>();
  for (const d of config.decisions) ruleSignalNames(d.rules, used);
  const pool = opts.pool ?? new ModelPool(opts.logger ?? { info: () => undefined, warn: () => undefined });
  const names = modelsForSignals(config, used);
  const cacheModel = usesCache(config) ? config.cache.embedding_model : undefined;
  if (cacheModel) names.add(cacheModel);
  const specs = [...names].sort().map((name) => modelSpecFor(config, name));
  let lease;
  try {
    lease = await pool.acquire(specs);
  } catch (e) {
    const name = e instanceof ModelLoadError ? e.model : undefined;
    throw fail([{ path: name ? `inference.models.${name}` : 'inference.models', message: (e as Error).message }]);
  }
  const issues: ConfigIssue[] = [];
  const signals = await buildSignals(config, used, lease.models, issues);
  const release = opts.pool ? () => lease.release() : () => void pool.close();
  if (issues.length > 0) {
    release();
    throw fail(issues);
  }
  return new RoutingSnapshot(config, {
    signals,
    release,
    models: lease.models,
    ...(opts.observer ? { observer: opts.observer } : {}),
    ...(opts.inflight ? { inflight: opts.inflight } : {}),
    ...(opts.onEndpointError ? { onEndpointError: opts.onEndpointError } : {}),
    ...(cacheModel ? { cacheEmbedder: lease.models.get(cacheModel) as EmbedderHandle } : {}),
  });
}

