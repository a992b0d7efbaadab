// Shared shapes of the PII signal: what a recogniser finds and what a detector promises.

/** Types the built-in rules emit (Presidio names). */
export const RULE_PII_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
  'API_KEY',
] as const;

export type RulePiiType = (typeof RULE_PII_TYPES)[number];

/**
 * A rule type, or any type a model reports (PERSON, STREET_ADDRESS, ORGANIZATION, ...), passed
 * through as an upper-case string. The `string & {}` keeps editor completion for the known names.
 */
export type PiiType = RulePiiType | 'PERSON' | 'STREET_ADDRESS' | 'ORGANIZATION' | 'DATE_TIME' | (string & {});

export interface PiiSpan {
  type: PiiType;
  /** UTF-16 offset of the first code unit, as JavaScript indexes strings. */
  start: number;
  /** UTF-16 offset one past the last code unit (exclusive). */
  end: number;
  /** `input.slice(start, end)`. */
  text: string;
  /** Confidence in [0, 1]: 1.0 only for checksum-validated matches. */
  score: number;
  source: 'rule' | 'model';
}

export interface PiiDetector {
  detect(text: string): Promise<PiiSpan[]>;
}

/** The token-classification handle (src/inference/) as the PII signal sees it. */
export interface TokenClassifier {
  tokens(text: string): Promise<Array<{ label: string; start: number; end: number; score: number }>>;
}
