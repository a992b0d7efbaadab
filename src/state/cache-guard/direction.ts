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
  ['more', ['more', 'greater', 'high', 'higher', 'larger', 'bigger', 'above', 'over', 'exceed', 'most', 'maximum', 'max', 'highest', 'largest', 'biggest', 'greatest', 'plus', 'at least'],
    'less', ['less', 'fewer', 'low', 'lower', 'smaller', 'below', 'under', 'beneath', 'least', 'minimum', 'min', 'lowest', 'smallest', 'fewest', 'minus', 'at most']],
  ['increase', ['increase', 'raise', 'rise', 'rose', 'risen', 'grow', 'grew', 'grown', 'gain', 'boost', 'expand', 'upgrade', 'increment', 'ascending', 'asc'],
    'decrease', ['decrease', 'reduce', 'reduction', 'lower', 'drop', 'fall', 'fell', 'fallen', 'shrink', 'shrank', 'decline', 'downgrade', 'decrement', 'descending', 'desc']],
  ['up', ['up', 'upward', 'upwards'], 'down', ['down', 'downward', 'downwards']],
  ['to', ['to', 'into', 'towards', 'toward', 'onto'], 'from', ['from']],
  ['before', ['before', 'prior', 'earlier', 'earliest', 'until', 'till', 'previous', 'preceding'], 'after', ['after', 'later', 'latest', 'since', 'following', 'subsequent']],
  ['better', ['better', 'best', 'good'], 'worse', ['worse', 'worst', 'bad']],
  ['longer', ['longer', 'longest'], 'shorter', ['shorter', 'shortest']],
  // "born before" is older, "born after" younger.
  ['older', ['older', 'oldest', 'elder', 'eldest', 'before', 'earlier'], 'younger', ['younger', 'youngest', 'newer', 'newest', 'after', 'later']],
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
  ['same', ['same', 'identical', 'similar', 'alike'], 'different', ['different', 'distinct', 'dissimilar']],
  ['safe', ['safe', 'safest', 'harmless', 'healthy'], 'dangerous', ['dangerous', 'harmful', 'toxic', 'poisonous', 'unsafe', 'unhealthy']],
  ['cause', ['cause', 'promote', 'trigger', 'induce'], 'prevent', ['prevent', 'inhibit', 'block', 'stop']],
  ['accept', ['accept', 'allow', 'permit', 'approve'], 'reject', ['reject', 'deny', 'forbid', 'refuse', 'ban']],
  ['pass', ['pass', 'succeed', 'success'], 'fail', ['fail', 'failure']],
  ['strong', ['strong', 'stronger', 'strongest'], 'weak', ['weak', 'weaker', 'weakest']],
  ['easy', ['easy', 'easier', 'easiest', 'simple', 'simpler'], 'hard', ['hard', 'harder', 'hardest', 'difficult']],
  ['rich', ['rich', 'richer', 'richest', 'wealthy'], 'poor', ['poor', 'poorer', 'poorest']],
];

/** A side of a pair: the pair's index and its side (bit 1: the first, bit 2: the second). */
type Side = readonly [pair: number, bit: 1 | 2];

/** word (or two-word phrase) → the pair sides it names. */
const CLASSES = new Map<string, Side[]>();
PAIRS.forEach(([, xs, , ys], p) => {
  for (const [bit, words] of [[1, xs], [2, ys]] as const) {
    for (const w of words) CLASSES.set(w, [...(CLASSES.get(w) ?? []), [p, bit]]);
  }
});
/** First words of the listed two-word phrases ("at least"). */
const PHRASE_STARTS = new Set([...CLASSES.keys()].filter((k) => k.includes(' ')).map((k) => k.split(' ')[0]!));

const TO_BEFORE = new Set(['the', 'a', 'an', 'my', 'your', 'our', 'their', 'his', 'her', 'its', 'this', 'that', 'these', 'those', 'me', 'you', 'him', 'us', 'them', 'it']);

const SUFFIXES = [['s', ''], ['es', ''], ['ed', ''], ['d', ''], ['ing', ''], ['ing', 'e']] as const;

/** Inflected forms: "increases", "increased", "increasing", "reduced" → their listed base. */
function classesOf(lower: string): Side[] | undefined {
  const direct = CLASSES.get(lower);
  if (direct) return direct;
  const last = lower.charCodeAt(lower.length - 1);
  // Only words ending in s, d or g can carry one of the suffixes.
  if (last !== 0x73 && last !== 0x64 && last !== 0x67) return undefined;
  for (const [suffix, add] of SUFFIXES) {
    if (lower.length > suffix.length + 2 && lower.endsWith(suffix)) {
      const hit = CLASSES.get(lower.slice(0, -suffix.length) + add);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Per pair: bit 1, the first side is used; bit 2, the second. */
export type DirectionFeatures = Uint8Array;

export const directionRule: GuardRule<DirectionFeatures> = {
  name: 'direction',
  extract: (text: GuardText) => {
    const sides = new Uint8Array(PAIRS.length);
    const { tokens } = text;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== 'word') continue;
      const next = tokens[i + 1];
      const phrase = PHRASE_STARTS.has(t.lower) && next?.kind === 'word' ? CLASSES.get(`${t.lower} ${next.lower}`) : undefined;
      if (phrase) {
        for (const [p, bit] of phrase) sides[p]! |= bit;
        i++;
        continue;
      }
      if (t.lower === 'to' && !isDirectionalTo(next)) continue;
      for (const [p, bit] of classesOf(t.lower) ?? []) sides[p]! |= bit;
    }
    return sides;
  },
  compare(a, b) {
    for (let p = 0; p < PAIRS.length; p++) {
      // One side only in one text, the other side only in the other.
      if (a[p]! + b[p]! === 3 && a[p] !== 0 && b[p] !== 0) return `${PAIRS[p]![0]} / ${PAIRS[p]![2]}: ${name(p, a[p]!)} vs ${name(p, b[p]!)}`;
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

function name(p: number, bits: number): string {
  const [x, , y] = PAIRS[p]!;
  return bits === 1 ? x : y;
}
