// Keyword signal: any/all of a list of words or phrases in the text the signal reads.
import type { KeywordSignalConfig } from '../config/schema.js';
import { signalText } from './input.js';
import type { Signal, SignalResult } from './types.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regex source for one keyword: \b only where the keyword starts/ends with a word character. */
function keywordSource(word: string, wholeWords: boolean): string {
  let src = escapeRegExp(word);
  if (wholeWords) {
    if (/^\w/.test(word)) src = `\\b${src}`;
    if (/\w$/.test(word)) src = `${src}\\b`;
  }
  return src;
}

// No `u` flag: with `i`, V8's unicode case folding makes these scans ~25x slower on long
// prompts, and \b is ASCII-based either way. Non-ASCII letters still fold case without it.
function flags(caseSensitive: boolean): string {
  return caseSensitive ? '' : 'i';
}

/**
 * One regex for a whole "any" list, so the text is scanned once. Keywords bounded by word
 * characters on both sides share one \b(?:a|b|c)\b group, which V8 scans much faster than one
 * bounded alternative per keyword.
 */
function anyRegExp(words: string[], wholeWords: boolean, caseSensitive: boolean): RegExp {
  const bounded: string[] = [];
  const other: string[] = [];
  for (const w of [...words].sort((a, b) => b.length - a.length)) {
    if (wholeWords && /^\w/.test(w) && /\w$/.test(w)) bounded.push(escapeRegExp(w));
    else other.push(keywordSource(w, wholeWords));
  }
  const parts = bounded.length ? [`\\b(?:${bounded.join('|')})\\b`, ...other] : other;
  return new RegExp(parts.join('|'), flags(caseSensitive));
}

export function keywordSignal(cfg: KeywordSignalConfig): Signal {
  const all = cfg.all.map((w) => ({ word: w, re: new RegExp(keywordSource(w, cfg.whole_words), flags(cfg.case_sensitive)) }));
  const anyRe = cfg.any.length > 0 ? anyRegExp(cfg.any, cfg.whole_words, cfg.case_sensitive) : undefined;

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
    extract: (ir) => Promise.resolve(evaluate(signalText(ir, cfg.input))),
  };
}
