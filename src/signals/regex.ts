// Regex signal: any of a list of regular expressions over the text the signal reads.
import type { z } from 'zod';
import type { regexSignalSchema } from '../config/schema/signals.js';
import { signalText } from './input.js';
import type { Signal } from './types.js';

export type RegexSignalConfig = z.infer<typeof regexSignalSchema>;

export function regexSignal(cfg: RegexSignalConfig): Signal {
  const patterns = cfg.patterns.map((p) => new RegExp(p, cfg.case_sensitive ? '' : 'i'));
  return {
    kind: 'regex',
    name: cfg.name,
    extract(ir) {
      const text = signalText(ir, cfg.input);
      const i = patterns.findIndex((re) => re.test(text));
      return Promise.resolve(i >= 0 ? { matched: true, confidence: 1, detail: `pattern ${i} matched` } : { matched: false, confidence: 0 });
    },
  };
}
