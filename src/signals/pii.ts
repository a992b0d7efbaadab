// PII signal: the built-in recognisers (and optionally a token-classification model) over the text.
import type { z } from 'zod';
import type { piiSignalSchema } from '../config/schema/signals.js';
import type { TokenClassifierHandle } from '../inference/index.js';
import { createPiiDetector } from '../pii/detector.js';
import { signalText } from './input.js';
import type { Signal } from './types.js';

export type PiiSignalConfig = z.infer<typeof piiSignalSchema>;

export function piiSignal(cfg: PiiSignalConfig, model: TokenClassifierHandle | undefined): Signal {
  const detector = createPiiDetector({
    ...(cfg.types.length > 0 ? { types: cfg.types } : {}),
    minScore: cfg.min_score,
    ...(model ? { model } : {}),
  });
  return {
    kind: 'pii',
    name: cfg.name,
    async extract(ir) {
      const text = signalText(ir, cfg.input);
      const found = await detector.analyze(text);
      if (found.spans.length === 0) return { matched: false, confidence: 0, ...(found.warnings.length ? { detail: found.warnings.join('; ') } : {}) };
      const types = [...new Set(found.spans.map((s) => s.type))].sort();
      const confidence = Math.max(...found.spans.map((s) => s.score));
      // Types and counts only: the matched values are personal data and never leave this function.
      return { matched: true, confidence, detail: `${found.spans.length} span(s): ${types.join(', ')}` };
    },
  };
}
