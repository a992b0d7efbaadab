// Secrets and tokens, reported as API_KEY: well-known vendor prefixes, JWTs, PEM private key blocks
// and `password=` / `api_key:` style assignments (the value only, so a redacted text keeps its key).
// Not matched: high-entropy strings without a known prefix or key name (too many false positives
// on hashes, ids and base64 payloads).
import type { PiiSpan } from '../types.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

interface PrefixedToken {
  name: string;
  pattern: RegExp;
  score: number;
}

// Each starts with a literal prefix at a token boundary and has bounded quantifiers.
const PREFIXED: readonly PrefixedToken[] = [
  { name: 'openai/anthropic', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,256}/g, score: 0.85 },
  { name: 'aws-access-key', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, score: 0.85 },
  { name: 'github', pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g, score: 0.85 },
  { name: 'slack', pattern: /(?<!\w)xox[baprs]-[A-Za-z0-9-]{10,250}/g, score: 0.85 },
  { name: 'google', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, score: 0.85 },
  { name: 'stripe', pattern: /(?<!\w)(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}/g, score: 0.85 },
  {
    name: 'jwt',
    pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{4,4096}\.eyJ[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{0,4096}/g,
    score: 0.85,
  },
];

// Key names followed by := and an optional quote; the value stops at whitespace, quotes, , ; & }.
const ASSIGNMENT =
  /(?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|bearer[_-]?token|private[_-]?key|token)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?([^\s"',;&}]{4,256})/gi;
// Values that name a secret rather than hold one: templates, env references, masks, stock words.
const PLACEHOLDER =
  /^(?:[$<{%[]|(?:\*+|x+|\.+|null|none|true|false|undefined|redacted|changeme|password|secret|your[_-]?\S*)$)/i;

// "password: forgotten" is prose; a real value has a digit or symbol, or is long.
const PROSE_WORD = /^[A-Za-z]{1,11}$/;

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY-----/g;
const PEM_END = /-----END (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY-----/g;
// An unterminated block (a pasted key cut short) ends with its last base64 line.
const PEM_BODY_MAX_LINES = 512;
// Body lines of a PEM block: base64, or an RFC 1421 header such as "Proc-Type: 4,ENCRYPTED".
const PEM_LINE = /^[ \t]*(?:[A-Za-z0-9+/=]{4,128}|[A-Za-z-]{1,32}: [^\r\n]{0,128})[ \t]*\r?$/;

/** Offset just past the last body line of an unterminated PEM block starting at `from`. */
function pemBodyEnd(text: string, from: number): number {
  let end = from;
  let at = text[from] === '\n' ? from + 1 : from;
  for (let i = 0; i < PEM_BODY_MAX_LINES && at < text.length; i++) {
    const nl = text.indexOf('\n', at);
    const lineEnd = nl < 0 || nl - at > 300 ? Math.min(text.length, at + 300) : nl;
    if (!PEM_LINE.test(text.slice(at, lineEnd))) break;
    end = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    at = lineEnd + 1;
  }
  return end;
}

function prefixedSpans(text: string): PiiSpan[] {
  return PREFIXED.flatMap((t) =>
    scan(text, t.pattern, (m) => ruleSpan('API_KEY', text, m.index, m.index + m[0].length, t.score)),
  );
}

function assignmentSpans(text: string): PiiSpan[] {
  return scan(text, ASSIGNMENT, (m) => {
    const value = m[1] ?? '';
    if (PLACEHOLDER.test(value) || PROSE_WORD.test(value)) return undefined;
    const start = m.index + m[0].length - value.length;
    return ruleSpan('API_KEY', text, start, start + value.length, 0.7);
  });
}

/** PEM blocks: one pass over BEGIN markers, and END searches that never revisit text. */
function pemSpans(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  const begin = new RegExp(PEM_BEGIN.source, 'g');
  const end = new RegExp(PEM_END.source, 'g');
  let endsLeft = true;
  let b: RegExpExecArray | null;
  while ((b = begin.exec(text)) !== null) {
    end.lastIndex = begin.lastIndex;
    const e = endsLeft ? end.exec(text) : null;
    if (e) {
      out.push(ruleSpan('API_KEY', text, b.index, e.index + e[0].length, 0.95));
      begin.lastIndex = e.index + e[0].length;
      continue;
    }
    endsLeft = false; // no END marker after this point: later BEGINs cannot close either
    const stop = pemBodyEnd(text, begin.lastIndex);
    out.push(ruleSpan('API_KEY', text, b.index, stop, 0.85));
    begin.lastIndex = stop;
  }
  return out;
}

export const secretRecognizer: RuleRecognizer = {
  type: 'API_KEY',
  find: (text) => [...prefixedSpans(text), ...pemSpans(text), ...assignmentSpans(text)],
};
