// prefix: the share of the prompt's leading blocks the endpoint is believed to hold in its KV cache
// (the longest prefix this replica sent it recently; prefix/prefix-index.ts). A cached block skips
// its prefill, so this is the TTFT saved.
import type { PrefixIndex } from '../prefix/prefix-index.js';
import type { Scorer } from '../types.js';

export function prefixScorer(index: PrefixIndex, name = 'prefix'): Scorer {
  return {
    type: 'prefix',
    name,
    score: (req, cs) => {
      const n = req.blockHashes.length;
      return cs.map((c) => (n === 0 ? 0 : index.matched(c.address, req.blockHashes) / n));
    },
  };
}
