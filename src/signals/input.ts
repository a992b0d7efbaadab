// Which text of a request a signal reads (the `input` field of text signals), and how much of it.
// A body may hold megabytes of prompt; no signal reads all of it on the event loop:
//   - scanners (keyword, regex, pii) read two windows, the first SCAN_HEAD_CHARS and the last
//     SCAN_TAIL_CHARS characters, each on its own (a match never spans the gap between them);
//   - classifiers read the prefix their tokenizer can use (inference/input-cap.ts);
//   - the language signal reads its first 1000 characters (language.ts).
// The windows are built without joining the whole conversation, once per request and input.
import type { RoutingRequest } from '../protocol/ir.js';

export type SignalInput = 'last_user' | 'conversation' | 'system';

/**
 * The head window: a prompt's instructions usually come first. 48 Ki characters (~12k tokens of
 * English) holds the whole of nearly every chat prompt (the perf mix's longest are ~16 KB), and a
 * regex scan of it costs 20-50 µs, a word split or the PII rules about 1 ms.
 */
export const SCAN_HEAD_CHARS = 48 * 1024;
/** The tail window: the question after a pasted document or log comes last. */
export const SCAN_TAIL_CHARS = 16 * 1024;
/**
 * Window edges move to whitespace within this many characters, so that a cut word (or e-mail
 * address, card number) does not look whole to \b and the PII patterns. A longer unbroken run is
 * cut as is; a whole-word keyword longer than this could then match the cut piece.
 */
export const WINDOW_EDGE_LOOKBACK = 256;

export interface TextWindows {
  /** The start of the text: all of it when it fits in head + tail. */
  head: string;
  /** The end of the text, after a gap; '' when the head holds everything. */
  tail: string;
  /** Length of the whole text (UTF-16 units). */
  length: number;
}

/** The texts the signal reads, in order; the signal's text is these joined with '\n'. */
function parts(ir: RoutingRequest, input: SignalInput): string[] {
  switch (input) {
    case 'last_user': {
      for (let i = ir.messages.length - 1; i >= 0; i--) if (ir.messages[i]!.role === 'user') return [ir.messages[i]!.text];
      return [''];
    }
    case 'conversation':
      return ir.messages.map((m) => m.text);
    case 'system':
      return ir.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text);
  }
}

function joinedLength(texts: readonly string[]): number {
  let n = Math.max(0, texts.length - 1);
  for (const t of texts) n += t.length;
  return n;
}

/** The first `n` characters of texts.join('\n'), joining only what it needs. */
function firstChars(texts: readonly string[], n: number): string {
  if (texts.length === 1) return texts[0]!.length <= n ? texts[0]! : texts[0]!.slice(0, n);
  const out: string[] = [];
  let have = 0;
  for (let i = 0; i < texts.length && have < n; i++) {
    const piece = i > 0 ? `\n${texts[i]!}` : texts[i]!;
    out.push(piece.length <= n - have ? piece : piece.slice(0, n - have));
    have += out[out.length - 1]!.length;
  }
  return out.join('');
}

/** The last `n` characters of texts.join('\n'). */
function lastChars(texts: readonly string[], n: number): string {
  if (texts.length === 1) return texts[0]!.length <= n ? texts[0]! : texts[0]!.slice(-n);
  const out: string[] = [];
  let have = 0;
  for (let i = texts.length - 1; i >= 0 && have < n; i--) {
    const piece = i > 0 ? `\n${texts[i]!}` : texts[i]!;
    out.push(piece.length <= n - have ? piece : piece.slice(piece.length - (n - have)));
    have += out[out.length - 1]!.length;
  }
  return out.reverse().join('');
}

const isSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x3000;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Where a head ending near `end` should end: at whitespace within the lookback, else at `end`. */
function headEnd(text: string, end: number): number {
  for (let i = end; i >= Math.max(1, end - WINDOW_EDGE_LOOKBACK); i--) if (isSpace(text.charCodeAt(i))) return i;
  return isLowSurrogate(text.charCodeAt(end)) ? end - 1 : end;
}

/** Where a tail starting near `start` should start: after whitespace within the lookback. */
function tailStart(text: string, start: number): number {
  if (isSpace(text.charCodeAt(start - 1))) return start;
  for (let i = start; i < Math.min(text.length, start + WINDOW_EDGE_LOOKBACK); i++) if (isSpace(text.charCodeAt(i))) return i + 1;
  return isLowSurrogate(text.charCodeAt(start)) ? start + 1 : start;
}

/** A flat copy: V8's regexps scan a slice of a large string several times slower than a string of its own. */
function own(s: string): string {
  return s.length < 1024 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

const memo = new WeakMap<RoutingRequest, Map<string, TextWindows | string>>();

function remembered<T extends TextWindows | string>(ir: RoutingRequest, key: string, make: () => T): T {
  let m = memo.get(ir);
  if (!m) memo.set(ir, (m = new Map<string, TextWindows | string>()));
  let v = m.get(key) as T | undefined;
  if (v === undefined) m.set(key, (v = make()));
  return v;
}

/** The whole text a signal reads (tests and tools; the request path reads windows or a prefix). */
export function signalText(ir: RoutingRequest, input: SignalInput): string {
  return parts(ir, input).join('\n');
}

/** The first `maxChars` characters of the signal's text (a plain prefix, for tokenizers that cut it themselves). */
export function signalPrefix(ir: RoutingRequest, input: SignalInput, maxChars: number): string {
  return remembered(ir, `prefix:${input}:${maxChars}`, () => firstChars(parts(ir, input), maxChars));
}

/** The head and tail windows of the signal's text (SCAN_HEAD_CHARS, SCAN_TAIL_CHARS). */
export function signalWindows(ir: RoutingRequest, input: SignalInput): TextWindows {
  return remembered(ir, `windows:${input}`, () => {
    const texts = parts(ir, input);
    const length = joinedLength(texts);
    if (length <= SCAN_HEAD_CHARS + SCAN_TAIL_CHARS) return { head: firstChars(texts, length), tail: '', length };
    const head = firstChars(texts, SCAN_HEAD_CHARS + 1);
    const tail = lastChars(texts, SCAN_TAIL_CHARS + 1);
    return {
      head: own(head.slice(0, headEnd(head, SCAN_HEAD_CHARS))),
      tail: own(tail.slice(tailStart(tail, 1))),
      length,
    };
  });
}
