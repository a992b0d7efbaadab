// lora: for a request naming an adapter (its body's model is a LoRA served by the model), prefer
// endpoints that run it (1), then have it queued (0.9), then have room to load it (0.8); unknown or
// full: 0. A request without an adapter scores every endpoint 0 (no preference).
import type { Candidate, Scorer } from '../types.js';

function one(c: Candidate, adapter: string): number {
  const m = c.metrics;
  if (!m) return 0;
  if (m.runningAdapters.includes(adapter)) return 1;
  if (m.waitingAdapters.includes(adapter)) return 0.9;
  const loaded = new Set([...m.runningAdapters, ...m.waitingAdapters]).size;
  return m.maxLora === undefined || loaded < m.maxLora ? 0.8 : 0;
}

export function loraScorer(name = 'lora'): Scorer {
  return { type: 'lora', name, score: (req, cs) => cs.map((c) => (req.adapter === undefined ? 0 : one(c, req.adapter))) };
}
