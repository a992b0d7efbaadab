// The answers of the fake OpenAI-compatible upstream: a deterministic completion that names the
// upstream, the model it was asked for and the prompt, as JSON or as SSE events (vLLM's shapes).

export interface CompletionRequest {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
  prompt?: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface Completion {
  id: string;
  created: number;
  model: string;
  chat: boolean;
  content: string;
  usage: Usage;
}

const MAX_ECHO = 200;

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p: unknown) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join(' ');
  }
  return '';
}

function messages(b: CompletionRequest): Array<{ role?: unknown; content?: unknown }> {
  return Array.isArray(b.messages) ? (b.messages as Array<{ role?: unknown; content?: unknown }>) : [];
}

/** The text the completion echoes: the prompt, or the last user message. */
export function lastUserText(b: CompletionRequest): string {
  if (typeof b.prompt === 'string') return b.prompt;
  if (Array.isArray(b.prompt)) return b.prompt.filter((p) => typeof p === 'string').join(' ');
  const users = messages(b).filter((m) => m.role === 'user');
  return text(users[users.length - 1]?.content);
}

function promptChars(b: CompletionRequest): number {
  if (b.prompt !== undefined) return lastUserText(b).length;
  return messages(b).reduce((n, m) => n + text(m.content).length, 0);
}

const tokens = (chars: number) => Math.max(1, Math.ceil(chars / 4));

export function makeCompletion(upstream: string, defaultModel: string, b: CompletionRequest, chat: boolean, seq: number): Completion {
  const model = typeof b.model === 'string' ? b.model : defaultModel;
  const content = `[${upstream}] ${model}: ${lastUserText(b).slice(0, MAX_ECHO)}`;
  const prompt_tokens = tokens(promptChars(b));
  const completion_tokens = tokens(content.length);
  return {
    id: `${chat ? 'chatcmpl' : 'cmpl'}-${upstream}-${seq}`,
    created: Math.floor(Date.now() / 1000),
    model,
    chat,
    content,
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  };
}

/** The non-streaming body: chat.completion or text_completion. */
export function completionJson(c: Completion): unknown {
  const choice = c.chat
    ? { index: 0, message: { role: 'assistant', content: c.content }, logprobs: null, finish_reason: 'stop' }
    : { index: 0, text: c.content, logprobs: null, finish_reason: 'stop' };
  return { id: c.id, object: c.chat ? 'chat.completion' : 'text_completion', created: c.created, model: c.model, choices: [choice], usage: c.usage };
}

/** Splits the content into at least three non-empty pieces (fewer only if it is shorter). */
export function contentPieces(content: string, pieces = 3): string[] {
  const size = Math.max(1, Math.ceil(content.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

/** The SSE events of a streamed completion, each `data: …\n\n`, ending with `data: [DONE]`. */
export function completionEvents(c: Completion, includeUsage: boolean): string[] {
  const object = c.chat ? 'chat.completion.chunk' : 'text_completion';
  const chunk = (choice: Record<string, unknown>) => ({ id: c.id, object, created: c.created, model: c.model, choices: [choice] });
  const events: unknown[] = [];
  if (c.chat) events.push(chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }));
  for (const piece of contentPieces(c.content)) {
    events.push(chunk(c.chat ? { index: 0, delta: { content: piece }, logprobs: null, finish_reason: null } : { index: 0, text: piece, logprobs: null, finish_reason: null }));
  }
  events.push(chunk(c.chat ? { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' } : { index: 0, text: '', logprobs: null, finish_reason: 'stop' }));
  if (includeUsage) events.push({ id: c.id, object, created: c.created, model: c.model, choices: [], usage: c.usage });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
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

export function openAiError(message: string, code: string, type = 'invalid_request_error'): unknown {
  return { error: { message, type, param: null, code } };
}
