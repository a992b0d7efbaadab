// Presidio synthetic PII data (pii/*.json) turned into per-token BIO labels for our tokenizer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PII_FILES = ['synth_dataset_v2.json', 'generated_large.json'];

/** Entity types the fixture tags, with the data's synonyms folded in; everything else is O. */
const TYPE_OF: Record<string, string> = {
  PERSON: 'PERSON',
  EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  PHONE_NUMBER: 'PHONE_NUMBER',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN_CODE: 'IBAN_CODE',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  STREET_ADDRESS: 'STREET_ADDRESS',
  ADDRESS: 'STREET_ADDRESS',
  GPE: 'LOCATION',
  LOCATION: 'LOCATION',
  DATE_TIME: 'DATE_TIME',
  ORGANIZATION: 'ORGANIZATION',
};

export const PII_LABELS: readonly string[] = [
  'O',
  ...[...new Set(Object.values(TYPE_OF))].flatMap((type) => [`B-${type}`, `I-${type}`]),
];

export interface PiiSpan {
  type: string;
  start: number;
  end: number;
}

export interface PiiText {
  text: string;
  spans: PiiSpan[];
}

interface RawRow {
  full_text?: unknown;
  spans?: { entity_type?: unknown; start_position?: unknown; end_position?: unknown }[];
}

export function readPiiTexts(datasetsDir: string): PiiText[] {
  const out: PiiText[] = [];
  for (const file of PII_FILES) {
    const rows = JSON.parse(readFileSync(join(datasetsDir, 'pii', file), 'utf8')) as RawRow[];
    for (const row of rows) {
      if (typeof row.full_text !== 'string') continue;
      const spans: PiiSpan[] = [];
      for (const s of row.spans ?? []) {
        const type = typeof s.entity_type === 'string' ? TYPE_OF[s.entity_type] : undefined;
        if (type && typeof s.start_position === 'number' && typeof s.end_position === 'number') {
          spans.push({ type, start: s.start_position, end: s.end_position });
        }
      }
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      const disjoint = spans.filter((s, i) => i === 0 || s.start >= (spans[i - 1] as PiiSpan).end);
      out.push({ text: row.full_text, spans: disjoint });
    }
  }
  return out;
}

/**
 * Token ids and BIO label ids ([CLS] and [SEP] are O), from tokenising the text piece by piece
 * between span boundaries. Returns undefined when that differs from tokenising the whole text
 * (an entity boundary inside a word), so training only sees ids a runtime would produce.
 */
export function labelTokens(
  item: PiiText,
  tokenize: (text: string) => number[],
  labelIndex: ReadonlyMap<string, number>,
  cls: number,
  sep: number,
): { ids: number[]; labels: number[] } | undefined {
  const ids = [cls];
  const labels = [0];
  let at = 0;
  const pushPlain = (text: string) => {
    for (const id of tokenize(text)) {
      ids.push(id);
      labels.push(0);
    }
  };
  for (const span of item.spans) {
    pushPlain(item.text.slice(at, span.start));
    tokenize(item.text.slice(span.start, span.end)).forEach((id, i) => {
      ids.push(id);
      labels.push(labelIndex.get(`${i === 0 ? 'B' : 'I'}-${span.type}`) ?? 0);
    });
    at = span.end;
  }
  pushPlain(item.text.slice(at));
  ids.push(sep);
  labels.push(0);
  const whole = [cls, ...tokenize(item.text), sep];
  if (whole.length !== ids.length || whole.some((id, i) => id !== ids[i])) return undefined;
  return { ids, labels };
}
