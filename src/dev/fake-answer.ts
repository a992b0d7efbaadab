// The deterministic answer of the fake vLLM upstream, shared by its four APIs (chat and text
// completions, Responses, Anthropic Messages): each API reads its request into a Conversation, and
// writes the one Answer below in its own shape. So a test can predict the answer whatever protocol
// the client spoke and whether semroute passed it through natively or translated it to chat:
// - text:      `[<upstream>] <model>: <newest user text, first 200 chars>`
// - after a tool result (the newest message is one):
//              `[<upstream>] <model>: tool said: <the tool result's text, first 200 chars>`
// - tool call: when tools are offered and the newest message is not a tool result, one call to
//              the first tool (or the one tool_choice names; none with tool_choice "none"), its
//              arguments `{"query":"<newest user text, first 200 chars>"}`, and no text
// - reasoning: when asked for, `thinking about: <newest user text, first 200 chars>` before it
// - usage:     input tokens ceil(input text bytes / 4), output tokens ceil(answer bytes / 4), at least 1 each.

export const MAX_ECHO = 200;

/** What a request says, protocol-neutral. */
export interface Conversation {
  /** The newest user message's text. */
  userText: string;
  /** The text of the trailing tool results, when the newest message is a tool result. */
  toolResult?: string | undefined;
  /** The tool to call (the first offered, or the one tool_choice names); undefined: none. */
  tool?: string | undefined;
  /** Reasoning was asked for. */
  reasoning: boolean;
  /** UTF-8 bytes of the input's text (system, messages, tool calls and results). */
  inputBytes: number;
}

export interface FakeToolCall {
  /** The API's prefix goes in front: `call_<n>`, `toolu_<n>`, `fc_<n>`. */
  n: number;
  name: string;
  /** JSON text. */
  arguments: string;
}

export interface Answer {
  /** The text answer; '' when the answer is a tool call. */
  text: string;
  toolCall?: FakeToolCall | undefined;
  reasoning?: string | undefined;
  inputTokens: number;
  /** Including the reasoning tokens. */
  outputTokens: number;
  reasoningTokens: number;
}

export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
export const tokens = (n: number): number => Math.max(1, Math.ceil(n / 4));

export function makeAnswer(upstream: string, model: string, conv: Conversation, seq: number): Answer {
  const echo = conv.userText.slice(0, MAX_ECHO);
  const toolCall = conv.tool !== undefined && conv.toolResult === undefined ? { n: seq, name: conv.tool, arguments: JSON.stringify({ query: echo }) } : undefined;
  const text = toolCall ? '' : `[${upstream}] ${model}: ${conv.toolResult !== undefined ? `tool said: ${conv.toolResult.slice(0, MAX_ECHO)}` : echo}`;
  const reasoning = conv.reasoning ? `thinking about: ${echo}` : undefined;
  const reasoningTokens = reasoning ? tokens(bytes(reasoning)) : 0;
  return {
    text,
    toolCall,
    reasoning,
    inputTokens: tokens(conv.inputBytes),
    outputTokens: tokens(bytes(toolCall ? toolCall.arguments : text)) + reasoningTokens,
    reasoningTokens,
  };
}

/** The text of a content value: a string, or the `text` of each part, joined with spaces. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: unknown) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join(' ');
  return '';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);

/** The tool to call: the named one when tool_choice names an offered tool, none for 'none', else the first. */
export function pickTool(offered: string[], choice: string | undefined): string | undefined {
  if (choice === 'none') return undefined;
  if (choice !== undefined && offered.includes(choice)) return choice;
  return offered[0];
}

/** Splits text into at least three non-empty pieces (fewer only if it is shorter). */
export function contentPieces(content: string, pieces = 3): string[] {
  const size = Math.max(1, Math.ceil(content.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

/** Cuts the SSE text at places that do not line up with events, so consumers must reassemble. */
export function ragged(text: string, seed: number): string[] {
  const out: string[] = [];
  let i = 0;
  let n = seed;
  while (i < text.length) {
    n = (n * 1103515245 + 12345) % 2147483648;
    const len = 7 + (n % 113);
    out.push(text.slice(i, i + len));
    i += len;
  }
  return out;
}

/** One named SSE event (Anthropic and Responses streams): `event: <name>\ndata: <json>\n\n`. */
export const namedEvent = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** What an API handler answers: a JSON body, or the SSE events of a stream. */
export type Reply = { status: number; json: unknown } | { status: 200; events: string[] };

export function openAiError(message: string, code: string, type = 'invalid_request_error', param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}
