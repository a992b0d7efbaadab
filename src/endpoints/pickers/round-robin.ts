// round_robin: in turn, whatever the scores (the baseline the fleet benchmark compares against).
import type { Candidate, Picker, Scored } from '../types.js';

export function roundRobinPicker(name = 'round_robin'): Picker {
  let turn = 0;
  return {
    type: 'round_robin',
    name,
    order: (scored: readonly Scored[]): Candidate[] => {
      const n = scored.length;
      const start = n === 0 ? 0 : turn++ % n;
      return scored.map((_, i) => scored[(start + i) % n]!.candidate);
    },
  };
}
