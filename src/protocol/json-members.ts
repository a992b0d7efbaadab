// Re-serialising an edited body without re-serialising what did not change. Plugins edit a copy
// of the parsed body (a system prompt, the reasoning switch, a redaction); JSON.stringify of a
// 4 MB body costs about twice its JSON.parse. Instead, the top-level members (and the elements
// of `messages`) that the edit left as they were are copied from the client's bytes, and only
// new or changed values are serialised: an edit costs what it changes plus one copy of the body.

import { skipString } from './json-scan.js';

export interface Span {
  start: number;
  end: number;
}

export interface MemberSpans {
  /** Byte spans of the top-level member values, by key (the last occurrence, as JSON.parse keeps). */
  values: Map<string, Span>;
  /** Byte spans of the elements of the top-level arrays asked for. */
  elements: Map<string, Span[]>;
}

const QUOTE = 0x22;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(buf: Buffer, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/** Index just past the value starting at `i` (string, object, array or literal), or -1. */
function skipValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < buf.length; j++) {
      const d = buf[j];
      if (d === QUOTE) {
        j = skipString(buf, j) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < buf.length && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d && !isSpace(buf[j])) j++;
  return j > i ? j : -1;
}

function decodeKey(buf: Buffer, start: number, end: number): string | undefined {
  try {
    return JSON.parse(buf.toString('utf8', start, end)) as string;
  } catch {
    return undefined;
  }
}

/** The spans of a JSON object document (already valid: JSON.parse accepted it); undefined otherwise. */
export function memberSpans(buf: Buffer, arrays: readonly string[]): MemberSpans | undefined {
  const values = new Map<string, Span>();
  const elements = new Map<string, Span[]>();
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) return undefined;
  i = skipSpace(buf, i + 1);
  if (buf[i] === 0x7d) return { values, elements };
  for (;;) {
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = skipString(buf, i);
    const key = keyEnd < 0 ? undefined : decodeKey(buf, i, keyEnd);
    if (key === undefined) return undefined;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== 0x3a) return undefined;
    const start = skipSpace(buf, i + 1);
    let end: number;
    if (arrays.includes(key) && buf[start] === 0x5b) {
      const spans: Span[] = [];
      let j = skipSpace(buf, start + 1);
      if (buf[j] !== 0x5d) {
        for (;;) {
          const e = skipValue(buf, j);
          if (e < 0) return undefined;
          spans.push({ start: j, end: e });
          j = skipSpace(buf, e);
          if (buf[j] === 0x5d) break;
          if (buf[j] !== 0x2c) return undefined;
          j = skipSpace(buf, j + 1);
        }
      }
      end = j + 1;
      elements.set(key, spans);
    } else {
      end = skipValue(buf, start);
      if (end < 0) return undefined;
      elements.delete(key);
    }
    values.set(key, { start, end });
    i = skipSpace(buf, end);
    if (buf[i] === 0x7d) return { values, elements };
    if (buf[i] !== 0x2c) return undefined;
    i = skipSpace(buf, i + 1);
  }
}

/**
 * `edited` as JSON bytes: a member whose value is the very object (or primitive) it was in
 * `original`, the document `raw` parses to, is copied from `raw`; so is each element of an array
 * in `spans.elements` that is one of the original array's elements. Everything else is
 * serialised. Edits must therefore replace what they change, never mutate the original's objects.
 */
export function serializeEdited(raw: Buffer, spans: MemberSpans, original: Record<string, unknown>, edited: Record<string, unknown>): Buffer {
  const pieces: Buffer[] = [];
  const text = (s: string) => pieces.push(Buffer.from(s));
  text('{');
  let first = true;
  for (const [key, value] of Object.entries(edited)) {
    if (value === undefined) continue;
    text(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    const span = spans.values.get(key);
    const before = original[key];
    const items = spans.elements.get(key);
    if (span && Object.hasOwn(original, key) && value === before) {
      pieces.push(raw.subarray(span.start, span.end));
    } else if (items && Array.isArray(value) && Array.isArray(before) && before.length === items.length) {
      const at = new Map<unknown, number>(before.map((el, k) => [el, k]));
      text('[');
      value.forEach((el: unknown, k) => {
        if (k > 0) text(',');
        const from = typeof el === 'object' && el !== null ? at.get(el) : undefined;
        if (from !== undefined) pieces.push(raw.subarray(items[from]!.start, items[from]!.end));
        else text(JSON.stringify(el) ?? 'null');
      });
      text(']');
    } else {
      text(JSON.stringify(value));
    }
  }
  text('}');
  return Buffer.concat(pieces);
}
