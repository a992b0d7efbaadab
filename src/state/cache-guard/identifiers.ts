// Code identifiers: "What does os.path.join do?" is not "What does os.path.split do?", `getUser`
// is not `get_user`. Identifiers are snake_case, camelCase and inner-capital words (HttpClient),
// dotted.names (os.path, index.ts; not e.g.), calls (foo()), --flags, /paths, URLs, and the text of
// `backticks`. Each identifier of one text must appear in the other as a whole token, in any case
// (formatting may differ: `foo` matches foo), and fenced ``` blocks must be the same code
// (spacing aside).
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

export interface IdentifierFeatures {
  /** Lower case. */
  identifiers: Set<string>;
  /** Inline `code` with spaces ("git commit -m"), lower case: matched as a phrase. */
  phrases: Set<string>;
  /** Fenced code blocks, whitespace collapsed → count. */
  blocks: Map<string, number>;
  /** The prose (fences out), lower case, backticks and runs of spaces as one space: what is searched. */
  flat(): string;
}

const FENCED = /```[^\n`]*\n?([\s\S]*?)```/g;
const INLINE = /`([^`\n]{1,200})`/g;
/** Runs of code-ish characters: where identifiers are looked for. */
const CHUNK = /[\w$.~/:()-]+/g;
/** A chunk that holds an identifier mark (_ . / --, a lower-upper turn, a call). */
const MARKED = /[_./]|--|[a-z][A-Z]|\(\)/;
/** The same over a whole text, where a sentence's full stop is no mark. */
const ANY_MARK = /[_/]|--|[a-z][A-Z]|\(\)|\.[\w$]/;

const SNAKE = /^_*[A-Za-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+)+_*$|^__[A-Za-z0-9]+__$/;
const CAMEL = /^[a-z]+[A-Z][A-Za-z0-9]*$|^[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*$/;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const FLAG = /^--[A-Za-z][\w-]*$/;
const PATH = /^(?:~|\.{1,2})?\/[\w.~-]+(?:\/[\w.~-]*)*$|^[\w.-]+\/[\w.-]+\/[\w./-]*$|^[\w-]+\/[\w-]*\.\w+$/;
const URL_RE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
/** Characters that continue an identifier: a match must not sit inside a longer one. */
const CONTINUES = /[\w$]/;

/** Without the sentence punctuation around it ("index.ts." → "index.ts"), or a trailing ":". */
const trimmed = (c: string) => c.replace(/^[.:]+|[.:]+$/g, '');

function isIdentifier(c: string): boolean {
  if (SNAKE.test(c) || CAMEL.test(c) || FLAG.test(c) || URL_RE.test(c) || PATH.test(c)) return true;
  // "e.g", "U.S", "a.m": dotted names need a part of two characters or more.
  return DOTTED.test(c) && c.split('.').some((part) => part.length >= 2);
}

/** Whether `needle` occurs in `hay` as a whole token (not inside a longer identifier). */
function containsToken(hay: string, needle: string): boolean {
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at > 0 ? hay[at - 1]! : ' ';
    const after = hay[at + needle.length] ?? ' ';
    const innerDot = (ch: string, next: string | undefined) => ch === '.' && next !== undefined && CONTINUES.test(next);
    if (!CONTINUES.test(before) && before !== '.' && !CONTINUES.test(after) && !innerDot(after, hay[at + needle.length + 1])) return true;
  }
  return false;
}

export function identifierFeatures(raw: string): IdentifierFeatures {
  const blocks = new Map<string, number>();
  const prose = raw.includes('```')
    ? raw.replace(FENCED, (_, code: string) => {
        const key = code.replace(/\s+/g, ' ').trim();
        if (key) blocks.set(key, (blocks.get(key) ?? 0) + 1);
        return ' ';
      })
    : raw;
  const identifiers = new Set<string>();
  const phrases = new Set<string>();
  if (prose.includes('`')) {
    for (const m of prose.matchAll(INLINE)) {
      const code = m[1]!.trim().replace(/\s+/g, ' ').toLowerCase();
      if (code.includes(' ')) phrases.add(code);
      else if (code) identifiers.add(trimmed(code).replace(/\(\)$/, '') || code);
    }
  }
  if (ANY_MARK.test(prose)) for (const [chunk] of prose.matchAll(CHUNK)) {
    if (!MARKED.test(chunk)) continue;
    for (const part of chunk.split(/[()]+/)) {
      const call = chunk.includes(`${part}()`) && /^[A-Za-z_$][\w$.]*$/.test(part);
      const c = call ? part : trimmed(part);
      if (c && (call || isIdentifier(c))) identifiers.add(c.toLowerCase());
    }
  }
  let flat: string | undefined;
  // Built when the other text has identifiers to look for (most texts have none).
  return { identifiers, phrases, blocks, flat: () => (flat ??= prose.toLowerCase().replace(/[`\s]+/g, ' ')) };
}

export const identifiersRule: GuardRule<IdentifierFeatures> = {
  name: 'identifiers',
  extract: (text: GuardText) => identifierFeatures(text.raw),
  compare(a, b) {
    for (const [block, n] of a.blocks) if ((b.blocks.get(block) ?? 0) !== n) return 'code blocks differ';
    for (const [block, n] of b.blocks) if ((a.blocks.get(block) ?? 0) !== n) return 'code blocks differ';
    const missing = missingIn(a, b) ?? missingIn(b, a);
    return missing === undefined ? undefined : `identifier not in both: ${missing}`;
  },
};

function missingIn(a: IdentifierFeatures, b: IdentifierFeatures): string | undefined {
  for (const id of a.identifiers) if (!containsToken(b.flat(), id)) return id;
  for (const p of a.phrases) if (!b.flat().includes(p)) return p;
  return undefined;
}
