// Code identifiers: "What does os.path.join do?" is not "What does os.path.split do?", `getUser`
// is not `get_user`. Identifiers are snake_case, camelCase and inner-capital words (HttpClient),
// dotted.names (os.path, index.ts; not e.g.), calls (foo()), --flags, /paths, URLs, and the text of
// `backticks`. Each identifier of one text must appear in the other (as a word of it, any case;
// formatting may differ: `foo` matches foo), and fenced ``` blocks must be the same code (spacing
// aside).
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

export interface IdentifierFeatures {
  identifiers: Set<string>;
  /** Inline `code` with spaces ("git commit -m"): matched as a phrase. */
  phrases: Set<string>;
  /** Fenced code blocks, whitespace collapsed → count. */
  blocks: Map<string, number>;
  /** Every code-ish token of the text, lower case: what "appears in the other" means. */
  chunks: Set<string>;
  /** The whole text, lower case, runs of spaces as one (phrase matching). */
  flat: string;
}

const FENCED = /```[^\n`]*\n?([\s\S]*?)```/g;
const INLINE = /`([^`\n]{1,200})`/g;
/** What separates code tokens in prose. */
const SEPARATORS = /[\s,;()[\]{}<>"'`“”‘’«»|=+*!?]+/;

const SNAKE = /^_*[A-Za-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+)+_*$|^__[A-Za-z0-9]+__$/;
const CAMEL = /^[a-z]+[A-Z][A-Za-z0-9]*$|^[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*$/;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const FLAG = /^--[A-Za-z][\w-]*$|^-[A-Za-z]{1,3}$/;
const PATH = /^(?:~|\.{1,2})?\/[\w.~-]+(?:\/[\w.~-]*)*$|^[\w.-]+\/[\w.-]+\/[\w./-]*$|^[\w-]+\/[\w-]*\.\w+$/;
const URL_RE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

/** A chunk without the sentence punctuation around it ("index.ts." → "index.ts", "foo()" → "foo"). */
function trimChunk(c: string): string {
  return c.replace(/^[.:]+/, '').replace(/[.:]+$/, '').replace(/\(\)$/, '');
}

function isIdentifier(c: string): boolean {
  if (SNAKE.test(c) || CAMEL.test(c) || FLAG.test(c) || URL_RE.test(c) || PATH.test(c)) return true;
  // "e.g", "U.S", "a.m": dotted names need a part of two characters or more.
  return DOTTED.test(c) && c.split('.').some((part) => part.length >= 2);
}

export function identifierFeatures(raw: string): IdentifierFeatures {
  const blocks = new Map<string, number>();
  const prose = raw.replace(FENCED, (_, code: string) => {
    const key = code.replace(/\s+/g, ' ').trim();
    if (key) blocks.set(key, (blocks.get(key) ?? 0) + 1);
    return ' ';
  });
  const identifiers = new Set<string>();
  const phrases = new Set<string>();
  for (const m of prose.matchAll(INLINE)) {
    const code = m[1]!.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!code) continue;
    if (code.includes(' ')) phrases.add(code);
    else identifiers.add(trimChunk(code) || code);
  }
  const chunks = new Set<string>();
  for (const raw of prose.split(SEPARATORS)) {
    const c = trimChunk(raw);
    if (!c) continue;
    chunks.add(c.toLowerCase());
    if (/[\p{L}_$/-]/u.test(c) && isIdentifier(c)) identifiers.add(c.toLowerCase());
  }
  return { identifiers, phrases, blocks, chunks, flat: prose.toLowerCase().replace(/[`\s]+/g, ' ') };
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
  for (const id of a.identifiers) if (!b.chunks.has(id)) return id;
  for (const p of a.phrases) if (!b.flat.includes(p)) return p;
  return undefined;
}
