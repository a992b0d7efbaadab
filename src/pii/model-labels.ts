// NER label vocabularies (CoNLL, OntoNotes, ai4privacy, Presidio, ...) mapped onto PII types.

const LABELS: Readonly<Record<string, string>> = {
  PER: 'PERSON', PERSON: 'PERSON', NAME: 'PERSON', NAME_STUDENT: 'PERSON', FIRSTNAME: 'PERSON',
  LASTNAME: 'PERSON', MIDDLENAME: 'PERSON', GIVENNAME: 'PERSON', SURNAME: 'PERSON', USERNAME: 'PERSON',
  EMAIL: 'EMAIL_ADDRESS', EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER', PHONE_NUMBER: 'PHONE_NUMBER', PHONE_NUM: 'PHONE_NUMBER', TELEPHONENUM: 'PHONE_NUMBER',
  LOC: 'STREET_ADDRESS', LOCATION: 'STREET_ADDRESS', ADDRESS: 'STREET_ADDRESS', STREET: 'STREET_ADDRESS',
  STREET_ADDRESS: 'STREET_ADDRESS', STREETADDRESS: 'STREET_ADDRESS', BUILDINGNUM: 'STREET_ADDRESS',
  CITY: 'STREET_ADDRESS', ZIPCODE: 'STREET_ADDRESS', GPE: 'STREET_ADDRESS',
  ORG: 'ORGANIZATION', ORGANIZATION: 'ORGANIZATION', ORGANISATION: 'ORGANIZATION',
  CREDITCARDNUMBER: 'CREDIT_CARD', CREDIT_CARD: 'CREDIT_CARD', CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  IBAN: 'IBAN_CODE', IBAN_CODE: 'IBAN_CODE',
  SSN: 'US_SSN', US_SSN: 'US_SSN', SOCIALNUM: 'US_SSN',
  IP: 'IP_ADDRESS', IPV4: 'IP_ADDRESS', IPV6: 'IP_ADDRESS', IP_ADDRESS: 'IP_ADDRESS',
  PASSWORD: 'API_KEY', API_KEY: 'API_KEY', SECRET: 'API_KEY',
  DATE: 'DATE_TIME', TIME: 'DATE_TIME', DATE_TIME: 'DATE_TIME', DOB: 'DATE_TIME',
};

/** Labels that mean "no entity". */
const OUTSIDE = new Set(['O', 'OUTSIDE', '']);

export interface ParsedLabel {
  type: string;
  /** B-/S-/U- prefixes start a new entity; I-/E-/L- and bare labels may continue one. */
  begins: boolean;
}

/** "B-PER" → { PERSON, begins }; "O" → undefined; unknown labels pass through upper-cased. */
export function parseLabel(label: string, extra: Readonly<Record<string, string>> = {}): ParsedLabel | undefined {
  const raw = label.trim().toUpperCase();
  if (OUTSIDE.has(raw)) return undefined;
  const m = /^([BIESLU])[-_](.+)$/.exec(raw);
  const name = m?.[2] ?? raw;
  const begins = m !== null && (m[1] === 'B' || m[1] === 'S' || m[1] === 'U');
  const type = extra[name] ?? extra[label] ?? LABELS[name] ?? name;
  return { type, begins };
}
