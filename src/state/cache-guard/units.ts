// Units of measure, currencies and percent, by the ways they are written. A unit right after (or,
// for currency symbols, before) a number belongs to that number; a unit word elsewhere ("convert
// to miles") still counts when it is unambiguous as a word ("bare"), which "m", "in" or "min" are not.

export interface UnitAlias {
  unit: string;
  /** Counts when not next to a number. */
  bare: boolean;
  /** Counts only written against the number ("5in", "3x", "1st"), never after a space ("5 in a row"). */
  gluedOnly: boolean;
}

// canonical: [aliases that only count next to a number, aliases that count anywhere]
const TABLE: Record<string, [string[], string[]]> = {
  km: [[], ['km', 'kms', 'kilometer', 'kilometers', 'kilometre', 'kilometres']],
  m: [['m'], ['meter', 'meters', 'metre', 'metres']],
  cm: [[], ['cm', 'centimeter', 'centimeters', 'centimetre', 'centimetres']],
  mm: [[], ['mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres']],
  mi: [['mi'], ['mile', 'miles']],
  ft: [[], ['ft', 'foot', 'feet']],
  in: [['in'], ['inch', 'inches']],
  yd: [[], ['yd', 'yds', 'yard', 'yards']],
  kg: [[], ['kg', 'kgs', 'kilogram', 'kilograms', 'kilo', 'kilos']],
  g: [['g'], ['gram', 'grams', 'gramme', 'grammes']],
  mg: [[], ['mg', 'milligram', 'milligrams']],
  lb: [[], ['lb', 'lbs', 'pound', 'pounds']],
  oz: [[], ['oz', 'ounce', 'ounces']],
  t: [[], ['ton', 'tons', 'tonne', 'tonnes']],
  l: [['l'], ['liter', 'liters', 'litre', 'litres']],
  ml: [[], ['ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres']],
  gal: [[], ['gal', 'gallon', 'gallons']],
  cup: [[], ['cup', 'cups']],
  tbsp: [[], ['tbsp', 'tablespoon', 'tablespoons']],
  tsp: [[], ['tsp', 'teaspoon', 'teaspoons']],
  ms: [['ms'], ['millisecond', 'milliseconds']],
  s: [['s', 'sec', 'secs', 'second', 'seconds'], []],
  min: [['min', 'mins'], ['minute', 'minutes']],
  h: [['h', 'hr', 'hrs'], ['hour', 'hours']],
  d: [[], ['day', 'days']],
  wk: [[], ['wk', 'wks', 'week', 'weeks']],
  mo: [[], ['month', 'months']],
  yr: [[], ['yr', 'yrs', 'year', 'years']],
  '°c': [['c'], ['celsius', 'centigrade']],
  '°f': [['f'], ['fahrenheit']],
  k: [[], ['kelvin']],
  '%': [[], ['%', 'percent', 'percentage', 'pct']],
  usd: [[], ['$', 'usd', 'dollar', 'dollars']],
  eur: [[], ['€', 'eur', 'euro', 'euros']],
  gbp: [[], ['£', 'gbp']],
  jpy: [[], ['¥', 'jpy', 'yen']],
  inr: [[], ['₹', 'inr', 'rupee', 'rupees']],
  b: [['b'], ['byte', 'bytes']],
  kb: [[], ['kb', 'kilobyte', 'kilobytes', 'kib']],
  mb: [[], ['mb', 'megabyte', 'megabytes', 'mib']],
  gb: [[], ['gb', 'gigabyte', 'gigabytes', 'gib']],
  tb: [[], ['tb', 'terabyte', 'terabytes', 'tib']],
  bit: [[], ['bit', 'bits']],
  mbps: [[], ['mbps', 'kbps', 'gbps']],
  mph: [[], ['mph']],
  kmh: [[], ['kph', 'kmh']],
  hz: [[], ['hz', 'khz', 'mhz', 'ghz', 'hertz']],
  w: [['w'], ['watt', 'watts', 'kw', 'kwh']],
  v: [['v'], ['volt', 'volts']],
  x: [['x'], []],
  ord: [['st', 'nd', 'rd', 'th'], []],
};

const GLUED_ONLY = new Set(['in', 's', 'x', 'c', 'f', 'b', 'st', 'nd', 'rd', 'th']);

const ALIASES = new Map<string, UnitAlias>();
for (const [unit, [attached, bare]] of Object.entries(TABLE)) {
  for (const a of attached) ALIASES.set(a, { unit, bare: false, gluedOnly: GLUED_ONLY.has(a) });
  for (const a of bare) ALIASES.set(a, { unit, bare: true, gluedOnly: false });
}

/** Currency symbols, written before the number ("$10"). */
export const CURRENCY_SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['$', 'usd'],
  ['€', 'eur'],
  ['£', 'gbp'],
  ['¥', 'jpy'],
  ['₹', 'inr'],
]);

export function unitOf(lowerToken: string): UnitAlias | undefined {
  return ALIASES.get(lowerToken);
}
