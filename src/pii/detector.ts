// The PII detector: built-in rules plus an optional model, over a bounded prefix of the text.
import { errorMessage } from '../telemetry/errors.js';
import { modelDetector, type ModelDetectorOptions } from './model-detector.js';
import { resolveOverlaps } from './overlap.js';
import { RULE_RECOGNIZERS } from './rules/index.js';
import { RULE_PII_TYPES, type PiiDetector, type PiiSpan, type PiiType, type TokenClassifier } from './types.js';

export const DEFAULT_MIN_SCORE = 0.5;
export const DEFAULT_MAX_SCAN_CHARS = 64 * 1024;

export interface PiiDetectorOptions {
  /** Types to report (rules and model); default: every rule type and whatever the model reports. */
  types?: readonly PiiType[];
  /** Spans scoring below this are dropped before overlaps are resolved. Default 0.5. */
  minScore?: number;
  /** Only the first maxScanChars UTF-16 units are scanned; the rest is not. Default 64 KiB. */
  maxScanChars?: number;
  /** A token classifier (adapted with model-detector) or any PiiDetector. */
  model?: TokenClassifier | PiiDetector;
  /** Label overrides for a token-classifier model. */
  modelLabels?: ModelDetectorOptions['labels'];
  /** Give up on the model after this long and keep the rule spans. Default: no limit of our own. */
  modelTimeoutMs?: number;
  /** Called once per warning (model failure, truncation) in addition to `warnings`. */
  onWarning?: (message: string, cause?: unknown) => void;
}

export interface PiiDetection {
  /** Non-overlapping spans in text order, offsets into the full input. */
  spans: PiiSpan[];
  /** Why the result may be incomplete: a failed model, a truncated scan. */
  warnings: string[];
  /** True when the input was longer than maxScanChars and its tail was not scanned. */
  truncated: boolean;
}

export interface RulesAndModelDetector extends PiiDetector {
  analyze(text: string): Promise<PiiDetection>;
}

function isTokenClassifier(m: TokenClassifier | PiiDetector): m is TokenClassifier {
  return typeof (m as Partial<TokenClassifier>).tokens === 'function';
}

/** Cuts at `max` without splitting a surrogate pair. */
function scanPrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function withTimeout<T>(work: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`model timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createPiiDetector(options: PiiDetectorOptions = {}): RulesAndModelDetector {
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const maxScanChars = Math.max(1, options.maxScanChars ?? DEFAULT_MAX_SCAN_CHARS);
  const wanted = options.types ? new Set<string>(options.types) : undefined;
  const rules = RULE_PII_TYPES.filter((t) => !wanted || wanted.has(t)).map((t) => RULE_RECOGNIZERS[t]);
  const model =
    options.model && isTokenClassifier(options.model)
      ? modelDetector(options.model, { labels: options.modelLabels ?? {} })
      : options.model;

  async function modelSpans(text: string, warn: (m: string, cause?: unknown) => void): Promise<PiiSpan[]> {
    if (!model) return [];
    try {
      return await withTimeout(model.detect(text), options.modelTimeoutMs);
    } catch (err) {
      warn(`pii model failed, rule spans only: ${errorMessage(err)}`, err);
      return [];
    }
  }

  async function analyze(text: string): Promise<PiiDetection> {
    const warnings: string[] = [];
    const warn = (message: string, cause?: unknown): void => {
      warnings.push(message);
      options.onWarning?.(message, cause);
    };
    const scanned = scanPrefix(text, maxScanChars);
    const truncated = scanned.length < text.length;
    if (truncated) warn(`pii scan truncated: first ${scanned.length} of ${text.length} characters scanned`);
    const fromModel = modelSpans(scanned, warn);
    const fromRules = rules.flatMap((r) => r.find(scanned));
    const all = [...fromRules, ...(await fromModel)].filter(
      (s) => s.score >= minScore && (!wanted || wanted.has(s.type)),
    );
    return { spans: resolveOverlaps(all), warnings, truncated };
  }

  return {
    analyze,
    detect: async (text) => (await analyze(text)).spans,
  };
}
