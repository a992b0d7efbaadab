// A deterministic stand-in for the cache's embedding model, blind to exactly what the guard
// checks: a bag of lower-case words hashed into a unit vector, that leaves out numbers (digits and
// number words), quoted and `backticked` text and names (capitalised words after the first), and
// reads a few French words as their English translation (as a multilingual model would). Word order and negation barely move it. So near
// misses ("10 km to miles" / "10 miles to km", "5%" / "7%", "good morning" / "good night") embed
// at cosine 1: the adversary the guard exists for. Like a real model it reads only the first
// `window` tokens (two special tokens, then the words).
import type { EmbedderHandle } from '../../src/inference/index.js';

const NUMBER_WORDS = new Set('zero one two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand'.split(' '));
const FRENCH: Record<string, string> = { quelle: 'what', est: 'is', la: 'the', capitale: 'capital', de: 'of' };

/** The words the model sees. */
function words(text: string): string[] {
  const prose = text.replace(/"[^"]*"|`[^`]*`/g, ' ').replace(/(?<=\S\s+)\p{Lu}\p{Ll}+/gu, ' ');
  return (prose.toLowerCase().match(/[\p{L}\p{N}_.]+/gu) ?? [])
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w !== '' && !/^\d/.test(w) && !NUMBER_WORDS.has(w))
    .map((w) => FRENCH[w] ?? w);
}

function hash(word: string, dim: number): number {
  let h = 2166136261;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  return (h >>> 0) % dim;
}

export function bagEmbed(text: string, dim = 256, window = 64): Float32Array {
  const v = new Float32Array(dim);
  for (const w of words(text).slice(0, window - 2)) v[hash(w, dim)]! += 1;
  let norm = 0;
  for (const x of v) norm += x * x;
  return norm === 0 ? v : v.map((x) => x / Math.sqrt(norm));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** An EmbedderHandle over bagEmbed: what the cache step reads of one (embed, tokenizer, maxLength). */
export function bagEmbedder(window = 64): EmbedderHandle {
  const encode = (text: string) => {
    // Every whitespace-separated piece is a token here (the numbers too), cut at the window.
    const pieces = text.split(/\s+/).filter(Boolean).slice(0, window - 2);
    const ids = [101, ...pieces.map((w) => hash(w, 30000)), 102];
    return { ids, tokens: ids.map(String), special: ids.map((_, i) => i === 0 || i === ids.length - 1) };
  };
  return {
    name: 'bag',
    task: 'embedding',
    dimensions: 256,
    maxLength: window,
    tokenizer: { encode },
    embed: (text: string) => Promise.resolve(bagEmbed(text, 256, window)),
    stats: () => ({}),
    close: () => Promise.resolve(),
  } as unknown as EmbedderHandle;
}
