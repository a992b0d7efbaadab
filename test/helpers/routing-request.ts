// The smallest routing request: one user message, OpenAI chat, no tools.
import type { RoutingRequest } from '../../src/protocol/ir.js';

export const userRequest = (text: string): RoutingRequest => ({
  protocol: 'openai.chat',
  model: 'auto',
  stream: false,
  messages: [{ role: 'user', text, toolCalls: 0 }],
  hasTools: false,
  tools: [],
  maxOutputTokens: undefined,
  body: {},
});

/** The median of a sample. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** One turn of the event loop. */
export const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
