// Everything a stream needs from one config version, built once per load/reload.
import { ConfigError } from '../config/issues.js';
import type { Config } from '../config/schema.js';
import { unsupportedFeatures } from '../config/unsupported.js';
import type { ParseLimits } from '../protocol/parse.js';
import { Router } from '../routing/router.js';
import { modelsListBody } from './replies.js';

export class RoutingSnapshot {
  readonly router: Router;
  readonly limits: ParseLimits;
  readonly modelsList: Buffer;

  constructor(
    readonly config: Config,
    loadedAt = Math.floor(Date.now() / 1000),
  ) {
    this.router = new Router(config);
    this.limits = {
      maxBodyBytes: config.security.max_body_bytes,
      maxJsonDepth: config.security.max_json_depth,
      maxMessages: config.security.max_messages,
    };
    this.modelsList = modelsListBody(config, loadedAt);
  }
}

/**
 * Builds everything a config needs before it takes traffic (start and hot reload). Throws
 * ConfigError, with paths, for what this build cannot carry out.
 */
export function buildSnapshot(config: Config, source = 'config'): Promise<RoutingSnapshot> {
  const unsupported = unsupportedFeatures(config);
  if (unsupported.length > 0) return Promise.reject(new ConfigError(`${source} cannot be used`, unsupported));
  return Promise.resolve(new RoutingSnapshot(config));
}
