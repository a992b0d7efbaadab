// Numbers with their units, as a multiset: "Give me 3 tips" is not "Give me 10 tips", "10 km to
// miles" is not "10 miles to km", "5%" is not "7%".
//
// Normalised so that the ways of writing one quantity agree: "10 km" = "10km" = "ten kilometres",
// "1,000" = "1000", "5%" = "5 percent", "$5" = "5 dollars", "2 million" = "2000000", "3rd" =
// "third", "-5" is negative. Values compare as numbers ("3.50" = "3.5"). Unit words not next to a
// number ("convert 10 km to miles") are a second multiset. A lone "one" is weak ("which one"): it
// may stand for an unmatched 1 of the other text, or for nothing. The arithmetic operations named
// (plus, minus, times, divided: as words or as signs between numbers) must be the same when both
// texts name some: "23 minus 42" is not "23 divided by 42".
import type { GuardRule } from './rule.js';
import type { GuardText, Token } from './text.js';
import { isNumberWord, numberWordsValue, ordinalOf, scaleOf } from './number-words.js';
import { CURRENCY_SYMBOLS, unitOf } from './units.js';

export interface NumberFeatures {
  /** "value unit" (or "value") → count. */
  quantities: Map<string, number>;
  /** Lone "one"s. */
  weakOnes: number;
  /** Unit words not next to a number → count. */
  units: Map<string, number>;
  /** Arithmetic operations named (plus, minus, times, divide). */
  operations: Set<string>;
}

const OPERATION_WORDS = new Map<string, string>([
  ...['plus', 'add', 'adding', 'added', 'sum', 'total'].map((w) => [w, 'plus'] as const),
  ...['minus', 'subtract', 'subtracting', 'subtracted', 'difference', 'less'].map((w) => [w, 'minus'] as const),
  ...['times', 'multiply', 'multiplied', 'multiplying', 'product'].map((w) => [w, 'times'] as const),
  ...['divided', 'divide', 'dividing', 'quotient', 'over', 'per'].map((w) => [w, 'divide'] as const),
]);
/** Signs count only between two numbers ("365 - 11", "6*7"), so hyphens and slashes in prose do not. */
const OPERATION_SIGNS = new Map<string, string>([['+', 'plus'], ['-', 'minus'], ['−', 'minus'], ['*', 'times'], ['×', 'times'], ['÷', 'divide'], ['/', 'divide']]);

const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export function numbersRule(opts: { numberWords: boolean }): GuardRule<NumberFeatures> {
  return {
    name: 'numbers',
    extract: (text) => extractNumbers(text, opts.numberWords),
    compare(a, b) {
      const onlyA = difference(a.quantities, b.quantities);
      const onlyB = difference(b.quantities, a.quantities);
      // A weak "one" of either side may stand for an unmatched plain 1 of the other.
      absorbOnes(onlyA, b.weakOnes);
      absorbOnes(onlyB, a.weakOnes);
      if (onlyA.length > 0 || onlyB.length > 0) return describe('numbers', onlyA, onlyB);
      const unitsA = difference(a.units, b.units);
      const unitsB = difference(b.units, a.units);
      if (unitsA.length > 0 || unitsB.length > 0) return describe('units', unitsA, unitsB);
      if (a.operations.size > 0 && b.operations.size > 0 && !sameSet(a.operations, b.operations)) {
        return `operations differ: ${[...a.operations].join(', ')} / ${[...b.operations].join(', ')}`;
      }
      return undefined;
    },
  };
}

function extractNumbers(text: GuardText, numberWords: boolean): NumberFeatures {
  const { tokens } = text;
  const quantities = new Map<string, number>();
  const units = new Map<string, number>();
  let weakOnes = 0;
  const used = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (used.has(i)) continue;
    const t = tokens[i]!;
    let value: number | undefined;
    let first = i;
    let last = i;
    let weak = false;
    if (t.kind === 'number') {
      value = Number(t.text.replace(/,/g, ''));
      if (isNegative(tokens, i)) {
        value = -value;
        first = i - 1;
      }
      const scale = tokens[i + 1] ? scaleOf(tokens[i + 1]!.lower) : undefined;
      if (scale !== undefined && scale !== 12) {
        value *= scale;
        last = i + 1;
      }
    } else if (numberWords && t.kind === 'word' && isNumberWord(t.lower)) {
      const run = [t.lower];
      // "twenty-one", "one hundred and five", "two thousand three hundred"
      while (last + 1 < tokens.length) {
        const next = tokens[last + 1]!;
        const after = tokens[last + 2];
        if (next.kind === 'word' && isNumberWord(next.lower)) {
          run.push(next.lower);
          last += 1;
        } else if ((next.text === '-' || next.lower === 'and') && after?.kind === 'word' && isNumberWord(after.lower)) {
          run.push(after.lower);
          last += 2;
        } else break;
      }
      value = numberWordsValue(run);
      weak = run.length === 1 && run[0] === 'one';
    } else if (numberWords && t.kind === 'word' && ordinalOf(t.lower) !== undefined && !(i > 0 && tokens[i - 1]!.kind === 'number')) {
      add(quantities, `${ordinalOf(t.lower)} ord`);
      continue;
    }
    if (value === undefined || !Number.isFinite(value)) continue;
    const unit = unitAround(tokens, first, last, used);
    if (weak && unit === undefined) {
      weakOnes++;
      continue;
    }
    add(quantities, unit ? `${value} ${unit}` : String(value));
    i = Math.max(i, last);
  }
  const operations = new Set<string>();
  let anyNumber = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'number') anyNumber = true;
    const alias = used.has(i) ? undefined : unitOf(t.lower);
    if (alias?.bare && t.kind !== 'number') add(units, alias.unit);
    const op = t.kind === 'word' ? OPERATION_WORDS.get(t.lower) : OPERATION_SIGNS.get(t.text);
    if (op && (t.kind === 'word' || (tokens[i - 1]?.kind === 'number' && tokens[i + 1]?.kind === 'number' && !isRange(tokens, i)))) operations.add(op);
  }
  // Operations matter only to a text with numbers ("less" and "over" are ordinary words elsewhere).
  if (!anyNumber) operations.clear();
  return { quantities, weakOnes, units, operations };
}

/** "-5": a minus written against the digits, not between two numbers ("5-3"). */
function isNegative(tokens: readonly Token[], i: number): boolean {
  const minus = tokens[i - 1];
  if (!minus || (minus.text !== '-' && minus.text !== '−') || !tokens[i]!.glued) return false;
  const before = tokens[i - 2];
  return !before || !minus.glued || before.kind === 'symbol';
}

/** The unit of the number spanning tokens [first, last]: a currency symbol before it, or a unit after it. */
function unitAround(tokens: readonly Token[], first: number, last: number, used: Set<number>): string | undefined {
  const before = tokens[first - 1];
  const currency = before ? CURRENCY_SYMBOLS.get(before.text) : undefined;
  if (currency) {
    used.add(first - 1);
    return currency;
  }
  const next = tokens[last + 1];
  if (!next) return undefined;
  // "°C", "° F"
  if (next.text === '°') {
    const scale = tokens[last + 2]?.lower;
    used.add(last + 1);
    if (scale === 'c' || scale === 'f') {
      used.add(last + 2);
      return `°${scale}`;
    }
    return '°';
  }
  // "5 per cent"
  if (next.lower === 'per' && tokens[last + 2]?.lower === 'cent') {
    used.add(last + 1).add(last + 2);
    return '%';
  }
  const alias = next.kind === 'number' ? undefined : unitOf(next.lower);
  if (!alias || (alias.gluedOnly && !next.glued)) return undefined;
  used.add(last + 1);
  // "km/h", "m/s"
  const slash = tokens[last + 2];
  const per = tokens[last + 3] ? unitOf(tokens[last + 3]!.lower) : undefined;
  if (slash?.text === '/' && slash.glued && per && tokens[last + 3]!.glued) {
    used.add(last + 2).add(last + 3);
    return `${alias.unit}/${per.unit}`;
  }
  return alias.unit;
}

/** "5-10": a hyphen written against both numbers is a range (or a date), not a minus. */
function isRange(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i]!;
  return t.text === '-' && t.glued && tokens[i + 1]!.glued;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Keys of `a` beyond their count in `b`, repeated. */
function difference(a: Map<string, number>, b: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of a) for (let i = b.get(k) ?? 0; i < n; i++) out.push(k);
  return out;
}

function absorbOnes(unmatched: string[], weakOnes: number): void {
  for (let left = weakOnes; left > 0; left--) {
    const at = unmatched.indexOf('1');
    if (at < 0) return;
    unmatched.splice(at, 1);
  }
}

function describe(what: string, onlyA: string[], onlyB: string[]): string {
  return `${what} differ: ${onlyA.join(', ') || '-'} / ${onlyB.join(', ') || '-'}`;
}
