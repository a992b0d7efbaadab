// Token labels → entity spans. Understands BIO / IOB2 (B- starts, I- continues), IOB1 and stray
// I- without a B- (starts an entity), BIOES / BILOU (S-/U- single, E-/L- last), and bare labels
// (treated as I-). Subword pieces follow their word's first token (the "first" strategy).
import type { EntitySpan } from './types.js';

export interface TokenPrediction {
  label: string;
  score: number;
  start: number;
  end: number;
  continuation: boolean;
}

interface ParsedLabel {
  prefix: 'B' | 'I' | 'E' | 'S' | 'O';
  type: string;
}

export function parseTag(label: string): ParsedLabel {
  if (label === 'O' || label === '') return { prefix: 'O', type: '' };
  const m = /^([BIESUL])[-_](.+)$/.exec(label);
  if (!m) return { prefix: 'I', type: label };
  const p = m[1]!;
  const prefix = p === 'U' ? 'S' : p === 'L' ? 'E' : (p as ParsedLabel['prefix']);
  return { prefix, type: m[2]! };
}

interface Open {
  label: string;
  start: number;
  end: number;
  scores: number[];
}

export function aggregateEntities(text: string, preds: TokenPrediction[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let cur: Open | undefined;
  let wordInEntity = false;
  let endAfterWord = false;
  const close = () => {
    if (cur) {
      const score = cur.scores.reduce((a, b) => a + b, 0) / cur.scores.length;
      spans.push({ label: cur.label, start: cur.start, end: cur.end, score, text: text.slice(cur.start, cur.end) });
    }
    cur = undefined;
  };
  const open = (p: TokenPrediction, type: string) => {
    close();
    cur = { label: type, start: p.start, end: p.end, scores: [p.score] };
  };
  for (const p of preds) {
    if (p.start < 0) continue;
    if (p.continuation) {
      if (wordInEntity && cur) {
        cur.end = Math.max(cur.end, p.end);
        cur.scores.push(p.score);
      }
      continue;
    }
    // An S-/E- word ended its entity; its subword pieces were still allowed to join it.
    if (endAfterWord) close();
    endAfterWord = false;
    const tag = parseTag(p.label);
    switch (tag.prefix) {
      case 'O':
        close();
        wordInEntity = false;
        continue;
      case 'B':
      case 'S':
        open(p, tag.type);
        break;
      case 'I':
      case 'E':
        if (cur && cur.label === tag.type) {
          cur.end = p.end;
          cur.scores.push(p.score);
        } else {
          open(p, tag.type);
        }
        break;
    }
    wordInEntity = true;
    endAfterWord = tag.prefix === 'S' || tag.prefix === 'E';
  }
  close();
  return spans;
}
