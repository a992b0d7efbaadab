// A single linear pass over a JSON document that (1) bounds its nesting depth before JSON.parse
// sees it and (2) finds the byte span of top-level string members, so the router can rewrite
// "model" in place: every other byte of the client's body (number precision, key order,
// whitespace) reaches the backend unchanged.

export interface ScanResult {
  maxDepth: number;
  /** Spans [start, end) of top-level string values (quotes included), by key. */
  topLevelStrings: Map<string, { start: number; end: number }>;
  /** Wanted keys that occur more than once at the top level (parsers disagree on which wins). */
  duplicateKeys: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Returns the index just past the closing quote of the string starting at `start`, or -1. Jumps
 * from quote to quote with Buffer.indexOf (native): a body is mostly prompt text inside strings,
 * and a byte-at-a-time loop over 4 MB of it cost ~8 ms, as much as JSON.parse itself.
 */
export function skipString(buf: Buffer, start: number): number {
  for (let from = start + 1; ; ) {
    const quote = buf.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    // Escaped when an odd number of backslashes precedes it.
    let b = quote - 1;
    while (b > start && buf[b] === BACKSLASH) b--;
    if ((quote - 1 - b) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Keys may be written with escapes ("mod\\u0065l"); compare them as JSON.parse would. */
function decodeKey(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans `buf`; returns undefined when nesting exceeds maxDepth. Malformed input is not
 * diagnosed here (JSON.parse does that); the spans are only trusted after a successful parse.
 */
export function scanJson(bytes: Uint8Array, maxDepth: number, wantKeys: readonly string[]): ScanResult | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const topLevelStrings = new Map<string, { start: number; end: number }>();
  const keysSeen = new Set<string>();
  const duplicateKeys: string[] = [];
  let depth = 0;
  let seen = 0;
  let pendingKey: string | undefined;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const end = skipString(buf, i);
      if (end < 0) break;
      if (depth === 1) {
        let j = end;
        while (isSpace(buf[j])) j++;
        if (buf[j] === COLON) {
          // A key at the top level: remember it if it is wanted and its value is a string.
          const key = decodeKey(Buffer.from(buf.buffer, buf.byteOffset + i + 1, end - i - 2).toString('utf8'));
          pendingKey = undefined;
          if (wantKeys.includes(key)) {
            if (keysSeen.has(key)) duplicateKeys.push(key);
            keysSeen.add(key);
            pendingKey = key;
          }
          i = j;
          continue;
        }
        if (pendingKey !== undefined) topLevelStrings.set(pendingKey, { start: i, end });
      }
      pendingKey = undefined;
      i = end - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      pendingKey = undefined;
      if (depth > seen) seen = depth;
      if (depth > maxDepth) return undefined;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (!isSpace(c) && c !== 0x2c) {
      pendingKey = undefined;
    }
  }
  return { maxDepth: seen, topLevelStrings, duplicateKeys };
}

/** Replaces the bytes [start, end) of `buf` with the JSON encoding of `value`. */
export function spliceJsonString(buf: Buffer, span: { start: number; end: number }, value: string): Buffer {
  return Buffer.concat([buf.subarray(0, span.start), Buffer.from(JSON.stringify(value)), buf.subarray(span.end)]);
}
