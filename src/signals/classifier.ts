// Signals backed by a sequence classifier: domain (a set of labels) and jailbreak (one label).
// Each reads the prefix of its text that the model's tokenizer can use (inference/input-cap.ts),
// so a long conversation is never joined whole; what lies past it no model would see anyway.
import type { z } from 'zod';
import type { domainSignalSchema, jailbreakSignalSchema } from '../config/schema/signals.js';
import type { ClassifierHandle } from '../inference/index.js';
import { signalPrefix } from './input.js';
import { callOptions } from './call-options.js';
import type { Signal } from './types.js';

export type DomainSignalConfig = z.infer<typeof domainSignalSchema>;
export type JailbreakSignalConfig = z.infer<typeof jailbreakSignalSchema>;

/** Matches when the labels' summed probability reaches the threshold; confidence is that sum. */
export function domainSignal(cfg: DomainSignalConfig, model: ClassifierHandle): Signal {
  const unknown = cfg.labels.filter((l) => !model.labels.includes(l));
  if (unknown.length > 0) {
    throw new Error(`labels ${unknown.map((l) => `"${l}"`).join(', ')} are not in model "${cfg.model}" (labels: ${model.labels.join(', ')})`);
  }
  return {
    kind: 'domain',
    name: cfg.name,
    async extract(ir, abort) {
      const text = signalPrefix(ir, cfg.input, model.tokenizer.inputReadLimit);
      if (text === '') return { matched: false, confidence: 0, detail: 'no text' };
      const r = await model.classify(text, callOptions(ir, model.name, abort));
      const p = cfg.labels.reduce((sum, l) => sum + (r.distribution[l] ?? 0), 0);
      return { matched: p >= cfg.threshold, confidence: p, detail: `top ${r.label} ${r.confidence.toFixed(2)}` };
    },
  };
}

export function jailbreakSignal(cfg: JailbreakSignalConfig, model: ClassifierHandle): Signal {
  if (!model.labels.includes(cfg.label)) {
    throw new Error(`label "${cfg.label}" is not in model "${cfg.model}" (labels: ${model.labels.join(', ')})`);
  }
  return {
    kind: 'jailbreak',
    name: cfg.name,
    onError: cfg.on_error,
    async extract(ir, abort) {
      const text = signalPrefix(ir, cfg.input, model.tokenizer.inputReadLimit);
      if (text === '') return { matched: false, confidence: 0, detail: 'no text' };
      const r = await model.classify(text, callOptions(ir, model.name, abort));
      const p = r.distribution[cfg.label] ?? 0;
      return { matched: p >= cfg.threshold, confidence: p, detail: `p(${cfg.label}) ${p.toFixed(2)}` };
    },
  };
}
