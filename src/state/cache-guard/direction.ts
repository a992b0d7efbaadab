// Comparison and direction: "more" is not "less", "to" not "from", "before" not "after", "buy" not
// "sell". Words fall in classes, and each pair of opposite classes is judged on its own: the
// candidate is rejected when one text uses only one side of a pair and the other only the other
// side. A text that uses neither side ("how do I reset it" / "how to reset it"), or both ("from km
// to miles" / "km to miles"), says nothing either way.
//
// "to" is also the infinitive marker ("how to reset"): it counts as a direction only before a
// number, a currency sign, a unit, a name (capitalised word), a determiner or an object pronoun.
import type { GuardRule } from './rule.js';
import type { GuardText, Token } from './text.js';
import { unitOf } from './units.js';

type Pair = readonly [string, readonly string[], string, readonly string[]];

const PAIRS: readonly Pair[] = [
  ['more', ['more', 'greater', 'higher', 'larger', 'bigger', 'above', 'over', 'exceed', 'most', 'maximum', 'max', 'highest', 'largest', 'biggest', 'greatest', 'plus', 'at least'],
    'less', ['less', 'fewer', 'lower', 'smaller', 'below', 'under', 'beneath', 'least', 'minimum', 'min', 'lowest', 'smallest', 'fewest', 'minus', 'at most']],
  ['increase', ['increase', 'raise', 'rise', 'rose', 'risen', 'grow', 'grew', 'grown', 'gain', 'boost', 'expand', 'upgrade', 'increment', 'ascending', 'asc'],
    'decrease', ['decrease', 'reduce', 'reduction', 'lower', 'drop', 'fall', 'fell', 'fallen', 'shrink', 'shrank', 'decline', 'downgrade', 'decrement', 'descending', 'desc']],
  ['up', ['up', 'upward', 'upwards'], 'down', ['down', 'downward', 'downwards']],
  ['to', ['to', 'into', 'towards', 'toward', 'onto'], 'from', ['from']],
  ['before', ['before', 'prior', 'earlier', 'earliest', 'until', 'till', 'previous', 'preceding'], 'after', ['after', 'later', 'latest', 'since', 'following', 'subsequent']],
  ['better', ['better', 'best'], 'worse', ['worse', 'worst']],
  ['longer', ['longer', 'longest'], 'shorter', ['shorter', 'shortest']],
  ['older', ['older', 'oldest', 'elder', 'eldest'], 'younger', ['younger', 'youngest', 'newer', 'newest']],
  ['faster', ['faster', 'fastest', 'quicker', 'quickest'], 'slower', ['slower', 'slowest']],
  ['cheaper', ['cheap', 'cheaper', 'cheapest', 'inexpensive'], 'pricier', ['expensive', 'pricier', 'priciest', 'costlier']],
  ['hotter', ['hot', 'hotter', 'hottest', 'warm', 'warmer', 'warmest'], 'colder', ['cold', 'colder', 'coldest', 'cool', 'cooler', 'coolest']],
  ['heavier', ['heavy', 'heavier', 'heaviest'], 'lighter', ['lighter', 'lightest']],
  ['buy', ['buy', 'bought', 'purchase'], 'sell', ['sell', 'sold']],
  ['import', ['import'], 'export', ['export']],
  ['upload', ['upload'], 'download', ['download']],
  ['encode', ['encode', 'encrypt', 'compress', 'serialize', 'serialise', 'zip'], 'decode', ['decode', 'decrypt', 'decompress', 'deserialize', 'deserialise', 'unzip']],
  ['push', ['push'], 'pull', ['pull']],
  ['send', ['send', 'sent'], 'receive', ['receive']],
  ['lend', ['lend', 'lent'], 'borrow', ['borrow']],
  ['win', ['win', 'won', 'winning'], 'lose', ['lose', 'lost', 'losing']],
  ['add', ['add', 'insert', 'append'], 'remove', ['remove', 'delete', 'drop']],
  ['enable', ['enable', 'activate'], 'disable', ['disable', 'deactivate']],
  ['open', ['open'], 'close', ['close', 'closed']],
  ['start', ['start', 'begin', 'began', 'begun'], 'stop', ['stop', 'end', 'finish']],
  ['install', ['install'], 'uninstall', ['uninstall']],
  ['left', ['left'], 'right', ['right']],
  ['north', ['north', 'northern'], 'south', ['south', 'southern']],
  ['east', ['east', 'eastern'], 'west', ['west', 'western']],
  ['first', ['first'], 'last', ['last']],
  ['positive', ['positive'], 'negative', ['negative']],
  ['true', ['true'], 'false', ['false']],
  ['input', ['input'], 'output', ['output']],
  ['inside', ['inside', 'inner', 'internal', 'interior'], 'outside', ['outside', 'outer', 'external', 'exterior']],
  ['uppercase', ['uppercase', 'capitalize', 'capitalise'], 'lowercase', ['lowercase']],
  ['horizontal', ['horizontal', 'horizontally'], 'vertical', ['vertical', 'vertically']],
  ['male', ['male', 'man', 'men', 'boy', 'boys'], 'female', ['female', 'woman', 'women', 'girl', 'girls']],
];

/** word (or two-word phrase) → the pair sides it names, as "pairIndex:side". */
const CLASSES = new Map<string, string[]>();
PAIRS.forEach(([, xs, , ys], p) => {
  for (const [side, words] of [[0, xs], [1, ys]] as const) {
    for (const w of words) CLASSES.set(w, [...(CLASSES.get(w) ?? []), `${p}:${side}`]);
  }
});

const TO_BEFORE = new Set(['the', 'a', 'an', 'my', 'your', 'our', 'their', 'his', 'her', 'its', 'this', 'that', 'these', 'those', 'me', 'you', 'him', 'us', 'them', 'it']);

/** Inflected forms: "increases", "increased", "increasing", "reduced" → their listed base. */
function classesOf(lower: string): string[] | undefined {
  const direct = CLASSES.get(lower);
  if (direct) return direct;
  for (const [suffix, add] of [['s', ''], ['es', ''], ['ed', ''], ['d', ''], ['ing', ''], ['ing', 'e']] as const) {
    if (lower.length > suffix.length + 2 && lower.endsWith(suffix)) {
      const hit = CLASSES.get(lower.slice(0, -suffix.length) + add);
      if (hit) return hit;
    }
  }
  return undefined;
}

export type DirectionFeatures = Set<string>;

export const directionRule: GuardRule<DirectionFeatures> = {
  name: 'direction',
  extract: (text: GuardText) => {
    const sides = new Set<string>();
    const { tokens } = text;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== 'word') continue;
      const phrase = tokens[i + 1]?.kind === 'word' ? CLASSES.get(`${t.lower} ${tokens[i + 1]!.lower}`) : undefined;
      if (phrase) {
        for (const c of phrase) sides.add(c);
        i++;
        continue;
      }
      if (t.lower === 'to' && !isDirectionalTo(tokens[i + 1])) continue;
      for (const c of classesOf(t.lower) ?? []) sides.add(c);
    }
    return sides;
  },
  compare(a, b) {
    for (let p = 0; p < PAIRS.length; p++) {
      const inA = sidesOf(a, p);
      const inB = sidesOf(b, p);
      if (inA + inB === 3 && inA !== 0 && inB !== 0) return `${PAIRS[p]![0]} / ${PAIRS[p]![2]}: ${name(p, inA)} vs ${name(p, inB)}`;
    }
    return undefined;
  },
};

function isDirectionalTo(next: Token | undefined): boolean {
  if (!next) return false;
  if (next.kind === 'number' || next.text === '$' || next.text === '€' || next.text === '£') return true;
  if (next.kind !== 'word') return false;
  return TO_BEFORE.has(next.lower) || unitOf(next.lower) !== undefined || /^\p{Lu}/u.test(next.text);
}

/** Bit 1: the first side is used, bit 2: the second. */
function sidesOf(s: DirectionFeatures, p: number): number {
  return (s.has(`${p}:0`) ? 1 : 0) | (s.has(`${p}:1`) ? 2 : 0);
}

function name(p: number, bits: number): string {
  const [x, , y] = PAIRS[p]!;
  return bits === 1 ? x : y;
}
