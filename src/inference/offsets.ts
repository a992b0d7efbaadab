// Character offsets of tokens in the ORIGINAL text. The tokenizer library gives none, so tokens
// are aligned by searching their surface form in a folded copy of the text (lowercase, accents
// stripped) that remembers where each folded character came from.
import type { TokenStyle } from './text-tokenizer.js';

export interface TokenOffset {
  /** -1 for special tokens. */
  start: number;
  end: number;
  /** A subword that continues the previous token's word (WordPiece "##", BPE without a leading space). */
  continuation: boolean;
}

interface FoldedText {
  text: string;
  /** For each UTF-16 unit of `text`: the original [start, end) it came from. */
  from: number[];
  to: number[];
}

const MARKS = /\p{M}/gu;

export function fold(s: string): string {
  return s.toLowerCase().normalize('NFD').replace(MARKS, '');
}

export function foldText(text: string): FoldedText {
  const out: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = fold(ch);
    out.push(f);
    for (let k = 0; k < f.length; k++) {
      from.push(i);
      to.push(i + ch.length);
    }
    i += ch.length;
  }
  return { text: out.join(''), from, to };
}

// GPT-2's byte ↔ printable-character table, inverted.
let byteDecoder: Map<string, number> | undefined;
function byteLevelDecoder(): Map<string, number> {
  if (byteDecoder) return byteDecoder;
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  byteDecoder = new Map(bs.map((b, i) => [String.fromCodePoint(cs[i]!), b]));
  return byteDecoder;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A token's text and whether it starts a new word; undefined when it spells no whole characters. */
export function surface(token: string, style: TokenStyle, first: boolean): { text: string; continuation: boolean } | undefined {
  if (style.continuationPrefix && token.startsWith(style.continuationPrefix) && token.length > style.continuationPrefix.length) {
    return { text: token.slice(style.continuationPrefix.length), continuation: true };
  }
  if (style.byteLevel) {
    const dec = byteLevelDecoder();
    const bytes: number[] = [];
    for (const ch of token) {
      const b = dec.get(ch);
      if (b === undefined) return undefined;
      bytes.push(b);
    }
    let text: string;
    try {
      text = utf8.decode(new Uint8Array(bytes));
    } catch {
      return undefined; // a partial UTF-8 sequence; filled from its neighbours
    }
    return { text: text.trim(), continuation: !first && !/^\s/.test(text) };
  }
  if (style.metaspace) {
    const starts = token.startsWith(style.metaspace);
    return { text: token.split(style.metaspace).join(' ').trim(), continuation: !first && !starts };
  }
  return { text: token, continuation: false };
}

/**
 * Aligns tokens to `text`. Special tokens get start = end = -1. Tokens that cannot be found
 * ([UNK], partial bytes) take the gap between their found neighbours.
 */
export function alignTokens(text: string, tokens: string[], special: boolean[], style: TokenStyle): TokenOffset[] {
  const folded = foldText(text);
  const out: TokenOffset[] = [];
  const unresolved: number[] = [];
  let cursor = 0; // in folded units
  let first = true;
  for (let i = 0; i < tokens.length; i++) {
    if (special[i]) {
      out.push({ start: -1, end: -1, continuation: false });
      continue;
    }
    const s = surface(tokens[i]!, style, first);
    first = false;
    const needle = s ? fold(s.text) : '';
    const at = needle === '' ? -1 : folded.text.indexOf(needle, cursor);
    if (at < 0) {
      out.push({ start: -1, end: -1, continuation: s?.continuation ?? false });
      unresolved.push(i);
      continue;
    }
    const end = at + needle.length;
    out.push({ start: folded.from[at]!, end: folded.to[end - 1]!, continuation: s!.continuation });
    cursor = end;
  }
  for (const i of unresolved) fillGap(text, out, i);
  return out;
}

function fillGap(text: string, out: TokenOffset[], i: number): void {
  let start = 0;
  for (let j = i - 1; j >= 0; j--) if (out[j]!.end >= 0) { start = out[j]!.end; break; }
  let end = text.length;
  for (let j = i + 1; j < out.length; j++) if (out[j]!.start >= 0) { end = out[j]!.start; break; }
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start) {
    out[i]!.start = start;
    out[i]!.end = end;
  }
}
