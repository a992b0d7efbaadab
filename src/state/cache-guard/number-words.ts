// Number words read as numbers: "ten" = 10, "twenty-one" = 21, "two hundred thousand" = 200000,
// "third" = 3rd. "one" alone is weak: it is as often a pronoun ("which one") as a number.

const SMALL: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, dozen: 12 };
/** "first" is left out: it is mostly "first, ..." or "at first", not a rank. */
const ORDINALS: Record<string, number> = {
  second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12,
};

// Maps, not the objects: "constructor" must not be a number word.
const SMALL_MAP = new Map(Object.entries(SMALL));
const SCALE_MAP = new Map(Object.entries(SCALES));
const ORDINAL_MAP = new Map(Object.entries(ORDINALS));

export const isNumberWord = (w: string): boolean => SMALL_MAP.has(w) || SCALE_MAP.has(w);
export const ordinalOf = (w: string): number | undefined => ORDINAL_MAP.get(w);
export const scaleOf = (w: string): number | undefined => SCALE_MAP.get(w);

/** The value of a run of number words (already split: "twenty", "one"); undefined if not one. */
export function numberWordsValue(words: readonly string[]): number | undefined {
  let total = 0;
  let current = 0;
  let any = false;
  for (const w of words) {
    const small = SMALL_MAP.get(w);
    const scale = SCALE_MAP.get(w);
    if (small !== undefined) current += small;
    else if (scale === 100 || scale === 12) current = (current || 1) * scale;
    else if (scale !== undefined) {
      total += (current || 1) * scale;
      current = 0;
    } else return undefined;
    any = true;
  }
  return any ? total + current : undefined;
}
