// Deterministic WordPiece vocabulary from a corpus: specials, the frequent alphabet (each character
// alone and as a ##continuation), the most frequent whole words, then the most frequent word
// prefixes and ##inner pieces of the words left out, so rare words split into useful pieces.
import { SPECIAL_TOKENS, loadTokenizer, tokenizerFiles } from './tokenizer-files.js';

export interface VocabOptions {
  /** Total number of tokens, specials included. */
  size: number;
  /** Share of the non-alphabet budget given to whole words (the rest goes to pieces). */
  wordShare?: number;
  minCharCount?: number;
  minWordCount?: number;
}

/** Splits text into words exactly like the tokenizer.json we write (BertNormalizer + BertPreTokenizer). */
export function createWordSplitter(): (text: string) => string[] {
  const bootstrap = loadTokenizer(tokenizerFiles([...SPECIAL_TOKENS]));
  const normalizer = bootstrap.normalizer;
  const preTokenizer = bootstrap.pre_tokenizer;
  if (!normalizer || !preTokenizer) throw new Error('tokenizer without normalizer or pre-tokenizer');
  return (text) => preTokenizer.pre_tokenize_text(normalizer.normalize(text));
}

export function countWords(texts: Iterable<string>, split: (text: string) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of split(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Highest count first, ties in code-unit order: the same input always gives the same order. */
function ranked(counts: Map<string, number>, minCount: number): string[] {
  return [...counts.entries()]
    .filter(([, count]) => count >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([token]) => token);
}

function add(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

export function buildWordPieceVocab(wordCounts: Map<string, number>, options: VocabOptions): string[] {
  const { size, wordShare = 0.75, minCharCount = 3, minWordCount = 2 } = options;
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const push = (token: string): boolean => {
    if (vocab.length >= size || seen.has(token)) return false;
    seen.add(token);
    vocab.push(token);
    return true;
  };

  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const ch of word) add(charCounts, ch, count);
  for (const ch of ranked(charCounts, minCharCount)) {
    if (vocab.length + 2 > size) break;
    push(ch);
    push(`##${ch}`);
  }

  const wordBudget = vocab.length + Math.floor((size - vocab.length) * wordShare);
  const words = ranked(wordCounts, minWordCount).filter((w) => [...w].length > 1);
  let next = 0;
  while (vocab.length < wordBudget && next < words.length) push(words[next++] as string);

  const pieceCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    if (seen.has(word)) continue;
    const chars = [...word];
    if (chars.length > 40) continue;
    for (let len = 2; len <= Math.min(8, chars.length - 1); len++) add(pieceCounts, chars.slice(0, len).join(''), count);
    for (let start = 1; start < chars.length; start++) {
      for (let len = 2; len <= 6 && start + len <= chars.length; len++) {
        add(pieceCounts, `##${chars.slice(start, start + len).join('')}`, count);
      }
    }
  }
  for (const piece of ranked(pieceCounts, minWordCount)) {
    if (vocab.length >= size) break;
    push(piece);
  }
  // A small corpus may leave budget unused: fill with the remaining words.
  while (vocab.length < size && next < words.length) push(words[next++] as string);
  return vocab;
}
