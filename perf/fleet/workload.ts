// The replayed workload: requests that share prefixes the way production traffic does.
// - agent loops (40%): 16 agents, each a ~1,600-token system prompt with its tool list; 48 sessions
//   re-send it with a growing history of ~100-token steps (up to 8, then a new task);
// - hot documents (25%): 8 documents of ~1,500 tokens, Zipf-popular, with a short question;
// - multi-turn chats (35%): 96 sessions on a short shared system prompt, each turn adding ~75 tokens
//   of user text and ~75 of answer, up to 10 turns, then a new chat.
// Output lengths are uniform in 16..96 tokens. Everything comes from one seeded generator: every
// picker replays exactly the same requests.
export interface SimRequest {
  messages: { role: 'system' | 'user' | 'assistant'; text: string }[];
  outputTokens: number;
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the of model cache token request queue block prefix router fleet engine latency decode prefill batch server prompt answer tool search file read write plan step result error retry vector index score weight'.split(' ');

function text(r: () => number, chars: number): string {
  let s = '';
  while (s.length < chars) s += `${WORDS[Math.floor(r() * WORDS.length)]} `;
  return s.slice(0, chars);
}

export class Workload {
  private readonly r: () => number;
  private readonly agents: string[];
  private readonly docs: string[];
  private readonly chatSystem: string;
  private readonly agentSessions: { agent: number; steps: string[] }[];
  private readonly chats: { turns: string[] }[];

  constructor(seed: number) {
    this.r = rng(seed);
    const r = this.r;
    this.agents = Array.from({ length: 16 }, (_, i) => `agent ${i}: ${text(r, 6400)}`);
    this.docs = Array.from({ length: 8 }, (_, i) => `document ${i}: ${text(r, 6000)}`);
    this.chatSystem = `You are a helpful assistant. ${text(r, 600)}`;
    this.agentSessions = Array.from({ length: 48 }, (_, i) => ({ agent: i % 16, steps: [] }));
    this.chats = Array.from({ length: 96 }, () => ({ turns: [] }));
  }

  next(): SimRequest {
    const r = this.r;
    const outputTokens = 16 + Math.floor(r() * 81);
    const kind = r();
    if (kind < 0.4) {
      const s = this.agentSessions[Math.floor(r() * this.agentSessions.length)]!;
      if (s.steps.length >= 8) s.steps = [];
      s.steps.push(text(r, 400));
      return { messages: [{ role: 'system', text: this.agents[s.agent]! }, ...s.steps.map((t) => ({ role: 'user' as const, text: t }))], outputTokens };
    }
    if (kind < 0.65) {
      // Zipf(1) over the documents.
      const weights = this.docs.map((_, i) => 1 / (i + 1));
      let x = r() * weights.reduce((a, b) => a + b, 0);
      let d = 0;
      while (x > weights[d]! && d < weights.length - 1) x -= weights[d++]!;
      return { messages: [{ role: 'user', text: `${this.docs[d]!}\n${text(r, 200)}` }], outputTokens };
    }
    const c = this.chats[Math.floor(r() * this.chats.length)]!;
    if (c.turns.length >= 20) c.turns = [];
    c.turns.push(text(r, 300));
    const messages: SimRequest['messages'] = [{ role: 'system', text: this.chatSystem }];
    c.turns.forEach((t, i) => messages.push({ role: i % 2 === 0 ? 'user' : 'assistant', text: t }));
    const out = { messages, outputTokens };
    c.turns.push(text(r, 300)); // the answer, part of the next turn's history
    return out;
  }
}

/** The prompt as the engine sees it (the same text layout the router hashes: see endpoint-step.ts). */
export function promptOf(req: SimRequest): string {
  return req.messages.map((m) => `<${m.role}>${m.text}\n`).join('');
}
