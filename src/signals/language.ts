// Language signal: the language of the text, detected with franc-min (trigram profiles of the 82
// languages with 8M+ speakers; ISO 639-3 codes). Config may name languages by ISO 639-1 ("en") or
// 639-3 ("eng"). Texts under 10 characters are undetermined and match nothing.
import { franc } from 'franc-min';
import type { z } from 'zod';
import { ISO_639_1, type languageSignalSchema } from '../config/schema/signals.js';
import { signalPrefix } from './input.js';
import type { Signal } from './types.js';

export type LanguageSignalConfig = z.infer<typeof languageSignalSchema>;

/**
 * Detection reads the first this many characters of the text (trigram counting is linear in it):
 * enough for a stable answer, a bounded cost; the rest of a longer text is not read.
 */
export const SAMPLE_CHARS = 1000;

let last: { text: string; code: string } | undefined;

/** The detected ISO 639-3 code ('und' when undetermined), memoised for the last text. */
export function detectLanguage(text: string): string {
  if (last?.text !== text) last = { text, code: franc(text.slice(0, SAMPLE_CHARS)) };
  return last.code;
}

export function languageSignal(cfg: LanguageSignalConfig): Signal {
  const wanted = new Set(cfg.languages.map((l) => ISO_639_1[l] ?? l));
  return {
    kind: 'language',
    name: cfg.name,
    extract(ir) {
      const code = detectLanguage(signalPrefix(ir, cfg.input, SAMPLE_CHARS));
      const matched = wanted.has(code);
      return Promise.resolve({ matched, confidence: matched ? 1 : 0, detail: `detected ${code}` });
    },
  };
}
