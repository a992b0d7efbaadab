// Figures for the embedding model: the graph's sentence embedding computed in TypeScript, perturbed
// copies of questions (word dropout, adjacent swap, case and punctuation changes) against random
// pairs, and nearest-neighbour domain accuracy.
import { createRng, shuffleInPlace } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;
const NEG_INFINITY = Number.NEGATIVE_INFINITY;

/** Masked mean of the token vectors, L2-normalised: what sentence_embedding computes. */
export function sentenceEmbedding(ids: readonly number[], vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const t of ids) for (let k = 0; k < dim; k++) out[k] = (out[k] as number) + (vectors[t * dim + k] as number);
  let sq = 0;
  for (let k = 0; k < dim; k++) sq += (out[k] as number) ** 2;
  const norm = M.max(M.sqrt(sq), 1e-12);
  for (let k = 0; k < dim; k++) out[k] = (out[k] as number) / norm;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
  return s;
}

/** A paraphrase-like copy: ~15% of words dropped, one adjacent swap, case and punctuation changed. */
export function perturbQuestion(text: string, rng: () => number): string {
  let words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length > 4) words = words.filter(() => rng() >= 0.15);
  if (words.length > 2) {
    const i = M.floor(rng() * (words.length - 1));
    const a = words[i] as string;
    words[i] = words[i + 1] as string;
    words[i + 1] = a;
  }
  let out = words.join(' ').replace(/[?.!,;:]/g, '');
  out = rng() < 0.5 ? out.toUpperCase() : out.toLowerCase();
  return `${out}${rng() < 0.5 ? ' ?' : ''}`;
}

export interface EmbeddingFigures {
  perturbedCosine: number;
  randomPairCosine: number;
  /** Share of questions whose perturbed copy is nearer than every other held-out question. */
  perturbedTop1: number;
  nearestNeighbourDomainAccuracy: number;
}

export function embeddingFigures(
  embed: (text: string) => Float32Array,
  heldout: readonly { text: string; label: string }[],
  reference: readonly { text: string; label: string }[],
  seed: number,
): EmbeddingFigures {
  const rng = createRng(seed);
  const questions = heldout.map((r) => embed(r.text));
  const perturbed = heldout.map((r) => embed(perturbQuestion(r.text, rng)));
  const partner = heldout.map((_, i) => i);
  shuffleInPlace(partner, rng);
  let pert = 0;
  let rand = 0;
  let randCount = 0;
  let top1 = 0;
  questions.forEach((q, i) => {
    const own = dot(q, perturbed[i] as Float32Array);
    pert += own;
    const j = partner[i] as number;
    if (j !== i) {
      rand += dot(q, questions[j] as Float32Array);
      randCount++;
    }
    const beaten = questions.some((other, k) => k !== i && dot(other, perturbed[i] as Float32Array) >= own);
    if (!beaten) top1++;
  });
  const refs = reference.map((r) => embed(r.text));
  let nnOk = 0;
  questions.forEach((q, i) => {
    let best = NEG_INFINITY;
    let bestLabel = '';
    refs.forEach((ref, k) => {
      const s = dot(q, ref);
      if (s > best) {
        best = s;
        bestLabel = (reference[k] as { label: string }).label;
      }
    });
    if (bestLabel === (heldout[i] as { label: string }).label) nnOk++;
  });
  const n = M.max(heldout.length, 1);
  return {
    perturbedCosine: pert / n,
    randomPairCosine: rand / M.max(randCount, 1),
    perturbedTop1: top1 / n,
    nearestNeighbourDomainAccuracy: nnOk / n,
  };
}
