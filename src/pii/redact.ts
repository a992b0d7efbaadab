// Replaces detected spans in a text: by type label, by a fixed mask, or by a short stable hash.
import { createHash, createHmac } from 'node:crypto';
import type { PiiSpan } from './types.js';

export type RedactionStyle = 'type' | 'mask' | 'hash';

export interface RedactOptions {
  /** Key for the hash style (HMAC-SHA256). Without it a plain SHA-256 is used, which anyone can
   *  recompute for small value spaces such as SSNs: set a per-deployment key in production. */
  hashKey?: string;
  /** Hex characters of the hash kept. Default 6. */
  hashLength?: number;
}

export const MASK = '****';

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Widens [start, end) so that neither end splits a surrogate pair. */
function widen(text: string, start: number, end: number): [number, number] {
  let s = Math.max(0, start);
  let e = Math.min(text.length, end);
  if (s > 0 && isLow(text.charCodeAt(s)) && isHigh(text.charCodeAt(s - 1))) s--;
  if (e < text.length && e > 0 && isHigh(text.charCodeAt(e - 1)) && isLow(text.charCodeAt(e))) e++;
  return [s, e];
}

interface Region {
  start: number;
  end: number;
  type: string;
  score: number;
}

/** Overlapping spans become one region labelled with the best-scoring type (union: nothing leaks). */
function regions(text: string, spans: readonly PiiSpan[]): Region[] {
  const sorted = spans
    .map((s) => {
      const [start, end] = widen(text, s.start, s.end);
      return { start, end, type: s.type, score: s.score };
    })
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out: Region[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start < last.end) {
      if (r.score > last.score) Object.assign(last, { type: r.type, score: r.score });
      last.end = Math.max(last.end, r.end);
    } else out.push({ ...r });
  }
  return out;
}

function replacement(type: string, value: string, style: RedactionStyle, options: RedactOptions): string {
  switch (style) {
    case 'type':
      return `[${type}]`;
    case 'mask':
      return MASK;
    case 'hash': {
      const h = options.hashKey ? createHmac('sha256', options.hashKey) : createHash('sha256');
      return `<${type}:${h.update(value).digest('hex').slice(0, options.hashLength ?? 6)}>`;
    }
  }
}

/**
 * `text` with every span replaced. Offsets always refer to the original text (the pieces are cut
 * from it, never from a partly rewritten copy), which is what applying right to left achieves, in
 * one linear pass.
 */
export function redact(text: string, spans: readonly PiiSpan[], style: RedactionStyle, options: RedactOptions = {}): string {
  const pieces: string[] = [];
  let at = 0;
  for (const r of regions(text, spans)) {
    pieces.push(text.slice(at, r.start), replacement(r.type, text.slice(r.start, r.end), style, options));
    at = r.end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}
