// Regex signal: any of a list of regular expressions over the text the signal reads. A long text
// is read in two windows (input.ts), each on its own: a match must lie within one, and ^ and $
// also match at a window's edges.
import type { z } from 'zod';
import type { regexSignalSchema } from '../config/schema/signals.js';
import { signalWindows } from './input.js';
import type { Signal } from './types.js';

export type RegexSignalConfig = z.infer<typeof regexSignalSchema>;

export function regexSignal(cfg: RegexSignalConfig): Signal {
  const patterns = cfg.patterns.map((p) => new RegExp(p, cfg.case_sensitive ? '' : 'i'));
  return {
    kind: 'regex',
    name: cfg.name,
    extract(ir) {
      const { head, tail } = signalWindows(ir, cfg.input);
      const i = patterns.findIndex((re) => re.test(head) || (tail !== '' && re.test(tail)));
      return Promise.resolve(i >= 0 ? { matched: true, confidence: 1, detail: `pattern ${i} matched` } : { matched: false, confidence: 0 });
    },
  };
}
