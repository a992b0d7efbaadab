// Header signal: a request header set by a trusted hop (an auth filter's user tier, a gateway's
// route tag). Envoy must strip such headers from client requests, or clients choose their tier.
import type { z } from 'zod';
import type { headerSignalSchema } from '../config/schema/signals.js';
import type { Signal } from './types.js';

export type HeaderSignalConfig = z.infer<typeof headerSignalSchema>;

export function headerSignal(cfg: HeaderSignalConfig): Signal {
  const values = new Set(cfg.values);
  return {
    kind: 'header',
    name: cfg.name,
    extract(ir) {
      const value = ir.headers?.get(cfg.header);
      const presentOk = cfg.present === undefined || cfg.present === (value !== undefined);
      const valueOk = values.size === 0 || (value !== undefined && values.has(value));
      const matched = presentOk && valueOk;
      // The value is not echoed: a header may carry an identity.
      return Promise.resolve({ matched, confidence: matched ? 1 : 0, detail: value === undefined ? `${cfg.header} absent` : `${cfg.header} present` });
    },
  };
}
