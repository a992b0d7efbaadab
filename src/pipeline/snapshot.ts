// Everything a stream needs from one config version, built once per load/reload.
import type { Config } from '../config/schema.js';
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
