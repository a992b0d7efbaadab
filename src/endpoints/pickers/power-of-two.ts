// power_of_two: two candidates drawn at random, the better scored goes first (Mitzenmacher's power
// of two choices: near-best spread without every replica herding onto the same top endpoint between
// scrapes); the fallbacks follow by score.
import type { Candidate, Picker, Scored } from '../types.js';
import { byScore } from './max-score.js';

export function powerOfTwoPicker(name = 'power_of_two'): Picker {
  return {
    type: 'power_of_two',
    name,
    order: (scored: readonly Scored[], random: () => number): Candidate[] => {
      if (scored.length <= 1) return scored.map((s) => s.candidate);
      const i = Math.floor(random() * scored.length);
      let j = Math.floor(random() * (scored.length - 1));
      if (j >= i) j++;
      const a = scored[i]!;
      const b = scored[j]!;
      const first = b.score > a.score ? b : a;
      return [first.candidate, ...byScore(scored.filter((s) => s !== first), random)];
    },
  };
}
