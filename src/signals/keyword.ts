// Keyword signal: any/all of a list of words or phrases in the last user message.
import type { KeywordSignalConfig } from '../config/schema.js';
import { lastUserText } from '../protocol/ir.js';
import type { Signal, SignalResult } from './types.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regex per keyword: \b only where the keyword starts/ends with a word character. */
function keywordRegExp(word: string, wholeWords: boolean, caseSensitive: boolean): RegExp {
  let src = escapeRegExp(word);
  if (wholeWords) {
    if (/^\w/.test(word)) src = `\\b${src}`;
    if (/\w$/.test(word)) src = `${src}\\b`;
  }
  return new RegExp(src, caseSensitive ? 'u' : 'iu');
}

export function keywordSignal(cfg: KeywordSignalConfig): Signal {
  const compile = (w: string) => ({ word: w, re: keywordRegExp(w, cfg.whole_words, cfg.case_sensitive) });
  const any = cfg.any.map(compile);
  const all = cfg.all.map(compile);
  // The "any" list as one alternation: a single pass over the text instead of one per keyword.
  const anyRe =
    any.length > 0 ? new RegExp(any.map((k) => `(?:${k.re.source})`).join('|'), cfg.case_sensitive ? 'u' : 'iu') : undefined;

  function evaluate(text: string): SignalResult {
    if (anyRe) {
      const m = anyRe.exec(text);
      if (!m) return { matched: false, confidence: 0 };
      if (all.length === 0) return { matched: true, confidence: 1, detail: `matched "${m[0]}"` };
    }
    const missing = all.find((k) => !k.re.test(text));
    if (missing) return { matched: false, confidence: 0, detail: `missing "${missing.word}"` };
    return { matched: true, confidence: 1, detail: `matched all ${all.length} keywords` };
  }

  return {
    kind: 'keyword',
    name: cfg.name,
    extract: (ir) => Promise.resolve(evaluate(lastUserText(ir))),
  };
}
