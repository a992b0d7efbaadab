// The built-in rule recognisers, one per type.
import type { RulePiiType } from '../types.js';
import { creditCardRecognizer } from './credit-card.js';
import { emailRecognizer } from './email.js';
import { ibanRecognizer } from './iban.js';
import { ipAddressRecognizer } from './ip-address.js';
import { phoneRecognizer } from './phone.js';
import type { RuleRecognizer } from './recognizer.js';
import { secretRecognizer } from './secrets.js';
import { usSsnRecognizer } from './us-ssn.js';

export type { RuleRecognizer } from './recognizer.js';

export const RULE_RECOGNIZERS: Readonly<Record<RulePiiType, RuleRecognizer>> = {
  EMAIL_ADDRESS: emailRecognizer,
  PHONE_NUMBER: phoneRecognizer,
  CREDIT_CARD: creditCardRecognizer,
  IBAN_CODE: ibanRecognizer,
  US_SSN: usSsnRecognizer,
  IP_ADDRESS: ipAddressRecognizer,
  API_KEY: secretRecognizer,
};
