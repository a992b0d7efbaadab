// max_score: the highest weighted score first, ties broken at random (so an idle fleet spreads),
// then the rest by score as the fallback list.
import type { Candidate, Picker, Scored } from '../types.js';

export function byScore(scored: readonly Scored[], random: () => number): Candidate[] {
  const keyed = scored.map((s) => ({ s, tie: random() }));
  keyed.sort((a, b) => b.s.score - a.s.score || a.tie - b.tie);
  return keyed.map((k) => k.s.candidate);
}

export function maxScorePicker(name = 'max_score'): Picker {
  return { type: 'max_score', name, order: byScore };
}
