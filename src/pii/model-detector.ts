// Adapts a token-classification handle (src/inference/) into a PiiDetector: maps NER labels to PII
// types and joins the pieces of one entity (B-/I- tags, word pieces, words split by spaces).
import { parseLabel } from './model-labels.js';
import type { PiiDetector, PiiSpan, TokenClassifier } from './types.js';

export interface ModelDetectorOptions {
  /** Extra or overriding label → type mappings, e.g. { MISC: 'NRP' }. */
  labels?: Readonly<Record<string, string>>;
  /** Longest gap (only whitespace) bridged between two tokens of one entity. Default 1. */
  maxGap?: number;
}

interface Open {
  type: string;
  start: number;
  end: number;
  scores: number[];
}

function toSpan(text: string, e: Open): PiiSpan {
  const score = e.scores.reduce((a, b) => a + b, 0) / e.scores.length;
  return { type: e.type, start: e.start, end: e.end, text: text.slice(e.start, e.end), score, source: 'model' };
}

/** Token offsets clamped to the text; pieces that cannot be placed are dropped. */
function clamp(start: number, end: number, length: number): [number, number] | undefined {
  const s = Math.max(0, Math.min(length, Math.floor(start)));
  const e = Math.max(0, Math.min(length, Math.floor(end)));
  return Number.isFinite(start) && Number.isFinite(end) && e > s ? [s, e] : undefined;
}

/** Whether a token at `start` extends the open entity: same type, after it, across a short blank gap. */
function continues(text: string, open: Open, type: string, begins: boolean, start: number, maxGap: number): boolean {
  if (open.type !== type || start < open.end || start - open.end > maxGap) return false;
  const gap = text.slice(open.end, start);
  return /^\s*$/.test(gap) && (!begins || gap.length === 0);
}

export function tokensToSpans(
  text: string,
  tokens: ReadonlyArray<{ label: string; start: number; end: number; score: number }>,
  options: ModelDetectorOptions = {},
): PiiSpan[] {
  const maxGap = options.maxGap ?? 1;
  const out: PiiSpan[] = [];
  let open: Open | undefined;
  for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
    const label = parseLabel(t.label, options.labels);
    const range = clamp(t.start, t.end, text.length);
    if (!label || !range) {
      if (open) out.push(toSpan(text, open));
      open = undefined;
      continue;
    }
    const [start, end] = range;
    const joins = open !== undefined && continues(text, open, label.type, label.begins, start, maxGap);
    if (open && joins) {
      open.end = end;
      open.scores.push(t.score);
      continue;
    }
    if (open) out.push(toSpan(text, open));
    open = { type: label.type, start, end, scores: [t.score] };
  }
  if (open) out.push(toSpan(text, open));
  return out;
}

/** A PiiDetector over a token classifier. Errors propagate; createPiiDetector contains them. */
export function modelDetector(classifier: TokenClassifier, options: ModelDetectorOptions = {}): PiiDetector {
  return {
    detect: async (text) => tokensToSpans(text, await classifier.tokens(text), options),
  };
}
