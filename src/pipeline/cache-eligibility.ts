// Whether a request's text may be matched semantically at all. A text that fills the embedding
// model's window is cut to its first window before it is embedded, so two long prompts that share
// their opening embed identically whatever follows: such texts are matched by exact key only, and
// stored without a vector. So are texts over cache.guard.max_text_chars (the guard needs the text
// stored with the entry, and this bounds it).
import type { EmbedderHandle } from '../inference/index.js';

export type SemanticEligibility =
  | { kind: 'eligible'; tokens: number; window: number }
  /** No embedding model or no text: exact matches only, nothing to count. */
  | { kind: 'none' }
  | { kind: 'over_window'; tokens: number; window: number }
  | { kind: 'too_long'; chars: number; maxChars: number };

export function semanticEligibility(embedder: EmbedderHandle | undefined, text: string, maxChars: number): SemanticEligibility {
  if (!embedder || text === '') return { kind: 'none' };
  if (text.length > maxChars) return { kind: 'too_long', chars: text.length, maxChars };
  // The tokenizer keeps recent encodings: the embedding that follows reuses this one.
  const tokens = embedder.tokenizer.encode(text).ids.length;
  const window = embedder.maxLength;
  // A text is cut at exactly `window` tokens, so a full window may be a cut one.
  return tokens >= window ? { kind: 'over_window', tokens, window } : { kind: 'eligible', tokens, window };
}

/** Why a text is not matched semantically, for explanations; undefined when it is. */
export function eligibilityWhy(e: SemanticEligibility): string | undefined {
  switch (e.kind) {
    case 'eligible':
      return undefined;
    case 'none':
      return 'no embedding model or no user text: exact matches only';
    case 'over_window':
      return `the text fills the embedding window (${e.tokens} of ${e.window} tokens): it would embed like any text sharing its start, so exact matches only`;
    case 'too_long':
      return `the text is over cache.guard.max_text_chars (${e.chars} > ${e.maxChars}): exact matches only`;
  }
}
