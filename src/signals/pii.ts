// PII signal: the built-in recognisers (and optionally a token-classification model) over the text.
// A long text is read in two windows (input.ts), the first SCAN_HEAD_CHARS and the last
// SCAN_TAIL_CHARS characters: PII in between does not make this signal match. That bounds what a
// routing signal costs; the pii *plugin* (routing/pii-policy.ts), which decides what the upstream
// receives, scans the whole body or refuses it.
import type { z } from 'zod';
import type { piiSignalSchema } from '../config/schema/signals.js';
import type { TokenClassifierHandle } from '../inference/index.js';
import { createPiiDetector, type PiiDetection } from '../pii/detector.js';
import { SCAN_HEAD_CHARS, SCAN_TAIL_CHARS, signalWindows } from './input.js';
import type { Signal } from './types.js';

export type PiiSignalConfig = z.infer<typeof piiSignalSchema>;

export function piiSignal(cfg: PiiSignalConfig, model: TokenClassifierHandle | undefined): Signal {
  const detector = createPiiDetector({
    ...(cfg.types.length > 0 ? { types: cfg.types } : {}),
    minScore: cfg.min_score,
    maxScanChars: Math.max(SCAN_HEAD_CHARS, SCAN_TAIL_CHARS),
    ...(model ? { model } : {}),
  });
  return {
    kind: 'pii',
    name: cfg.name,
    async extract(ir) {
      const w = signalWindows(ir, cfg.input);
      const found: PiiDetection[] = [await detector.analyze(w.head)];
      if (w.tail !== '') found.push(await detector.analyze(w.tail));
      const spans = found.flatMap((f) => f.spans);
      const notes = found.flatMap((f) => f.warnings);
      if (w.tail !== '') notes.push(`${w.length - w.head.length - w.tail.length} of ${w.length} characters between the scanned head and tail not scanned`);
      if (spans.length === 0) return { matched: false, confidence: 0, ...(notes.length ? { detail: notes.join('; ') } : {}) };
      const types = [...new Set(spans.map((s) => s.type))].sort();
      const confidence = Math.max(...spans.map((s) => s.score));
      // Types and counts only: the matched values are personal data and never leave this function.
      return { matched: true, confidence, detail: `${spans.length} span(s): ${types.join(', ')}` };
    },
  };
}
