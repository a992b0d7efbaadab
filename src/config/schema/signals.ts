// signals: named facts about a request that decision rules combine. One list per kind; names are
// unique across all kinds.
import { z } from 'zod';
import { name, probability, signalInput } from './common.js';

const signalName = name.describe('Unique across all signal kinds; decision rules refer to it.');

const timeoutMs = z
  .number()
  .int()
  .positive()
  .max(10_000)
  .optional()
  .describe('Time budget of this signal; when it runs out the signal counts as not matched. Default: inference.timeout_ms.');

export const keywordSignalSchema = z
  .strictObject({
    name: signalName,
    any: z.array(z.string().min(1)).default([]).describe('Matches when any of these keywords occurs.'),
    all: z.array(z.string().min(1)).default([]).describe('Matches when all of these keywords occur.'),
    whole_words: z.boolean().default(true).describe('Match keywords only at word boundaries.'),
    case_sensitive: z.boolean().default(false).describe('Match case exactly.'),
    input: signalInput,
  })
  .refine((s) => s.any.length > 0 || s.all.length > 0, { message: 'a keyword signal needs "any" or "all"' });

export const regexSignalSchema = z.strictObject({
  name: signalName,
  patterns: z
    .array(z.string().min(1).max(1000))
    .min(1)
    .describe('JavaScript regular expressions; matches when any matches. Checked to compile at load.'),
  case_sensitive: z.boolean().default(false).describe('Match case exactly.'),
  input: signalInput,
});

export const embeddingSignalSchema = z.strictObject({
  name: signalName,
  candidates: z.array(z.string().min(1)).min(1).describe('Example phrases; the prompt is compared with each.'),
  threshold: probability.default(0.75).describe('Cosine similarity at or above which the signal matches.'),
  aggregate: z.enum(['max', 'mean']).default('max').describe('How similarities to the candidates combine.'),
  model: name.default('embedding').describe('The inference model (task embedding) that embeds the text.'),
  input: signalInput,
  timeout_ms: timeoutMs,
});

export const domainSignalSchema = z.strictObject({
  name: signalName,
  labels: z.array(z.string().min(1)).min(1).describe("Classifier labels that count as this signal (the model's id2label)."),
  threshold: probability.default(0.5).describe('Summed probability of the labels at or above which the signal matches.'),
  model: name.default('domain').describe('The inference model (task sequence-classification).'),
  input: signalInput,
  timeout_ms: timeoutMs,
});

/**
 * Calibrated for the shipped models/jailbreak-detector: the lowest threshold with at most 0.5 %
 * false positives on held-out benign prompts and their noisy variants, overall and on short prompts
 * alone (training_figures.json calibration.threshold; a test keeps the two equal).
 */
export const DEFAULT_JAILBREAK_THRESHOLD = 0.66;

export const jailbreakSignalSchema = z.strictObject({
  name: signalName,
  threshold: probability
    .default(DEFAULT_JAILBREAK_THRESHOLD)
    .describe(
      'Probability of the jailbreak label at or above which the signal matches. The default is calibrated for the shipped jailbreak-detector (at most 0.5% false positives on held-out benign prompts, plain and with ids, markup, code and the like around them; see models/README.md); calibrate again for another model.',
    ),
  label: z.string().min(1).default('jailbreak').describe('The label that means "jailbreak" in the model\'s id2label.'),
  model: name.default('jailbreak').describe('The inference model (task sequence-classification).'),
  on_error: z
    .enum(['matched', 'not_matched'])
    .default('not_matched')
    .describe('What a failed or timed-out check counts as; matched fails closed.'),
  input: signalInput.describe(
    'Text the detector reads. last_user by default: earlier turns were checked when they were last, and a whole conversation would be truncated from its start, cutting off the newest turn.',
  ),
  timeout_ms: timeoutMs,
});

export const piiSignalSchema = z.strictObject({
  name: signalName,
  types: z
    .array(z.string().min(1))
    .default([])
    .describe('PII types that count (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, IP_ADDRESS, API_KEY, or labels of a NER model); empty: any.'),
  min_score: probability.default(0.5).describe('Lowest recogniser score that counts.'),
  model: name.optional().describe('An inference model (task token-classification) used next to the built-in rules.'),
  input: signalInput,
  timeout_ms: timeoutMs,
});

/** ISO 639-1 → the ISO 639-3 code the language detector (franc) reports, for common languages. */
export const ISO_639_1: Readonly<Record<string, string>> = {
  ar: 'arb', bn: 'ben', cs: 'ces', da: 'dan', de: 'deu', el: 'ell', en: 'eng', es: 'spa', fa: 'pes', fi: 'fin',
  fr: 'fra', he: 'heb', hi: 'hin', hu: 'hun', id: 'ind', it: 'ita', ja: 'jpn', ko: 'kor', ms: 'zlm', nl: 'nld',
  no: 'nob', pl: 'pol', pt: 'por', ro: 'ron', ru: 'rus', sv: 'swe', sw: 'swh', ta: 'tam', th: 'tha', tr: 'tur',
  uk: 'ukr', ur: 'urd', vi: 'vie', zh: 'cmn',
};

export const languageSignalSchema = z.strictObject({
  name: signalName,
  languages: z
    .array(z.string().regex(/^[a-z]{2,3}$/, 'ISO 639 code, e.g. en, de, zh or eng, deu, cmn'))
    .min(1)
    .describe('Languages that match: ISO 639-3 codes as detected (eng, deu, cmn, …) or ISO 639-1 codes of common languages (en, de, zh, …).'),
  input: signalInput,
});

export const contextSignalSchema = z
  .strictObject({
    name: signalName,
    min_tokens: z.number().int().nonnegative().optional().describe('Matches when the estimated prompt tokens are at least this.'),
    max_tokens: z.number().int().positive().optional().describe('Matches when the estimated prompt tokens are at most this.'),
  })
  .refine((s) => s.min_tokens !== undefined || s.max_tokens !== undefined, {
    message: 'a context signal needs min_tokens or max_tokens',
  })
  .refine((s) => s.min_tokens === undefined || s.max_tokens === undefined || s.min_tokens <= s.max_tokens, {
    message: 'min_tokens must not exceed max_tokens',
  });

export const headerSignalSchema = z
  .strictObject({
    name: signalName,
    header: z
      .string()
      .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'a lower-case HTTP header name')
      .describe('Request header to read (set by a trusted hop, e.g. an auth filter).'),
    values: z.array(z.string()).default([]).describe('Matches when the header equals one of these.'),
    present: z.boolean().optional().describe('Matches when the header is (true) or is not (false) present.'),
  })
  .refine((s) => s.values.length > 0 || s.present !== undefined, { message: 'a header signal needs values or present' });

export const conversationSignalSchema = z.strictObject({
  name: signalName,
  min_turns: z.number().int().nonnegative().optional().describe('Matches when the conversation has at least this many user turns.'),
  max_turns: z.number().int().positive().optional().describe('Matches when it has at most this many user turns.'),
  tools_present: z.boolean().optional().describe('Matches when the request does (true) or does not (false) offer tools.'),
  tool_loop: z.boolean().optional().describe('Matches when the last message is a tool result (an agent loop in progress).'),
});

export const SIGNAL_KINDS = [
  'keyword',
  'regex',
  'embedding',
  'domain',
  'jailbreak',
  'pii',
  'language',
  'context',
  'header',
  'conversation',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const signalsSchema = z
  .strictObject({
    keyword: z.array(keywordSignalSchema).default([]).describe('Words or phrases in the text.'),
    regex: z.array(regexSignalSchema).default([]).describe('Regular expressions over the text.'),
    embedding: z.array(embeddingSignalSchema).default([]).describe('Similarity of the text to example phrases (embedding model).'),
    domain: z.array(domainSignalSchema).default([]).describe('Subject of the text (sequence classifier, 14 MMLU-Pro domains by default).'),
    jailbreak: z.array(jailbreakSignalSchema).default([]).describe('Jailbreak and prompt-injection detector.'),
    pii: z.array(piiSignalSchema).default([]).describe('Personal data in the text (built-in recognisers, optionally a NER model).'),
    language: z.array(languageSignalSchema).default([]).describe('Language of the text.'),
    context: z.array(contextSignalSchema).default([]).describe('Estimated prompt length in tokens.'),
    header: z.array(headerSignalSchema).default([]).describe('A request header (e.g. a user tier set by a trusted auth hop).'),
    conversation: z.array(conversationSignalSchema).default([]).describe('Shape of the conversation: turns, tools, agent loops.'),
  })
  .prefault({});

export type SignalsConfig = z.infer<typeof signalsSchema>;
export type KeywordSignalConfig = z.infer<typeof keywordSignalSchema>;
