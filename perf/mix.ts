// A deterministic request mix (same seed, same requests): short and long prompts, streaming or
// not, multi-turn conversations, chat and completions endpoints, coding and general prompts, plus
// exact repeats and paraphrases of earlier requests (for the cache scenarios).
import { mulberry32 } from './arrivals.js';

export interface MixItem {
  path: '/v1/chat/completions' | '/v1/completions';
  body: Buffer;
  stream: boolean;
  /** short | medium | long, coding | general, turns, repeat | paraphrase: for reading results. */
  label: string;
}

export interface MixOptions {
  seed?: number;
  /** How many requests the mix holds; the load generators cycle through them. */
  size?: number;
  repeatFraction?: number;
  paraphraseFraction?: number;
  /** Make every request distinct (a numbered suffix on its last prompt): a cache never hits. */
  unique?: boolean;
  /** Give requests a body `user` out of this many (session affinity reads it). */
  users?: number;
}

const SYLLABLES = ['ka', 'lo', 'mir', 'ten', 'vos', 'dra', 'qui', 'bel', 'zun', 'pra', 'sol', 'nek', 'tor', 'vi', 'gam', 'rux'];

/** n distinct made-up topic words; the generated decision configs key on them. */
export function topicTerms(n: number): string[] {
  const out: string[] = [];
  const s = SYLLABLES.length;
  for (let i = 0; out.length < n; i++) {
    out.push(`${SYLLABLES[i % s]}${SYLLABLES[Math.floor(i / s) % s]}${SYLLABLES[(Math.floor(i / (s * s)) + 3) % s]}x`);
  }
  return out;
}

const CODING = [
  'Why does this python function raise a KeyError when the dict is empty?',
  'My typescript build fails to compile with an error about generics; what is wrong?',
  'Write a regex that matches ISO dates and explain each part.',
  'Here is a stack trace from our service, can you find the bug?',
  'Refactor this code so the function is easier to test.',
];
const GENERAL = [
  'What is the capital of France and why did it become the capital?',
  'Summarise the plot of Hamlet in two sentences.',
  'Plan a three-day trip to Lisbon on a small budget.',
  'Explain how vaccines train the immune system, simply.',
  'Translate "good morning, how are you" into German and Spanish.',
  'Give me five ideas for a birthday present for my father.',
];
const FILLER = [
  'The service keeps a replicated log and every replica applies entries in order.',
  'Each quarter the team reviews incidents, writes down what was learnt and updates the runbooks.',
  'Customers in the northern region reported slower responses during the evening peak.',
  'The library was written years ago and its documentation no longer matches its behaviour.',
  'We measured latency at the gateway, at the router and at the model server separately.',
  'The meeting notes list open questions about pricing, staffing and the migration timeline.',
];
const CODE_LINE = 'const result = compute(input, options); if (!result.ok) throw new Error(result.reason);\n';
const PARAPHRASE_PREFIX = ['Could you tell me: ', 'Quick question. ', 'Please answer briefly: ', 'I was wondering, '];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A prompt of the given size class; long ones reach ~16 KB. */
function prompt(r: Rand, coding: boolean, size: 'short' | 'medium' | 'long', terms: string[]): string {
  let p = pick(r, coding ? CODING : GENERAL);
  if (r() < 0.5) p += ` It is about ${pick(r, terms)}.`;
  if (size === 'short') return p;
  const target = size === 'medium' ? 1000 + r() * 2000 : 6000 + r() * 10000;
  const parts: string[] = [];
  let len = 0;
  while (len < target) {
    const s = coding && r() < 0.5 ? CODE_LINE : `${pick(r, FILLER)} `;
    parts.push(s);
    len += s.length;
  }
  return `${parts.join('')}\n${p}`;
}

function item(r: Rand, terms: string[]): { item: MixItem; lastPrompt: string; rebuild: (p: string) => MixItem } {
  const coding = r() < 0.4;
  const u = r();
  const size = u < 0.6 ? 'short' : u < 0.85 ? 'medium' : 'long';
  const stream = r() < 0.4;
  const chat = r() < 0.8;
  const turns = chat && r() < 0.35 ? 2 + Math.floor(r() * 7) : 1;
  const history: { role: string; content: string }[] = [{ role: 'system', content: 'You are a helpful assistant. Be brief.' }];
  for (let t = 1; t < turns; t++) {
    history.push({ role: 'user', content: prompt(r, coding, 'short', terms) });
    history.push({ role: 'assistant', content: pick(r, FILLER) });
  }
  const last = prompt(r, coding, size, terms);
  const label = `${size} ${coding ? 'coding' : 'general'} ${turns}t ${chat ? 'chat' : 'completions'}${stream ? ' stream' : ''}`;
  const rebuild = (p: string): MixItem =>
    chat
      ? { path: '/v1/chat/completions', stream, label, body: json({ model: 'auto', stream, max_tokens: 256, messages: [...history, { role: 'user', content: p }] }) }
      : { path: '/v1/completions', stream, label, body: json({ model: 'auto', stream, max_tokens: 256, prompt: p }) };
  return { item: rebuild(last), lastPrompt: last, rebuild };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export function buildMix(opts: MixOptions = {}): MixItem[] {
  const r = mulberry32(opts.seed ?? 42);
  const size = opts.size ?? 400;
  const repeat = opts.repeatFraction ?? 0.1;
  const paraphrase = opts.paraphraseFraction ?? 0.1;
  const terms = topicTerms(400);
  const made: ReturnType<typeof item>[] = [];
  const out: MixItem[] = [];
  while (out.length < size) {
    const u = r();
    const earlier = made.length ? made[Math.floor(r() * made.length)] : undefined;
    if (earlier && u < repeat) {
      out.push({ ...earlier.item, label: `${earlier.item.label} repeat` });
    } else if (earlier && u < repeat + paraphrase) {
      const p = `${pick(r, PARAPHRASE_PREFIX)}${earlier.lastPrompt.replace(/\?$/, '')}?`;
      const m = earlier.rebuild(p);
      out.push({ ...m, label: `${m.label} paraphrase` });
    } else {
      const it = item(r, terms);
      made.push(it);
      out.push(it.item);
    }
  }
  if (!opts.unique && !opts.users) return out;
  return out.map((m, i) => ({ ...m, body: personalise(m.body, i, opts) }));
}

function personalise(body: Buffer, i: number, opts: MixOptions): Buffer {
  const doc = JSON.parse(body.toString()) as { messages?: Array<{ content: string }>; prompt?: string; user?: string };
  if (opts.unique) {
    const tag = ` [#${i}]`;
    if (doc.messages) doc.messages[doc.messages.length - 1]!.content += tag;
    else doc.prompt += tag;
  }
  if (opts.users) doc.user = `user-${i % opts.users}`;
  return json(doc);
}
