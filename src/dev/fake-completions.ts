// The answers of the fake upstream's chat and text completions: the deterministic answer of
// fake-answer.ts (text naming the upstream, the model and the prompt; a tool call when tools are
// offered; reasoning when asked for), as JSON or as SSE events, in vLLM's shapes.
import { bytes, contentPieces, isObject, list, makeAnswer, pickTool, textOf, type Conversation, type FakeToolCall } from './fake-answer.js';

export { contentPieces, ragged, openAiError } from './fake-answer.js';

export interface CompletionRequest {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
  prompt?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  /** vLLM: `{enable_thinking: true}` turns on the reasoning of Qwen3-style templates. */
  chat_template_kwargs?: unknown;
  reasoning_effort?: unknown;
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
  /** The text answer ('' when the answer is a tool call). */
  content: string;
  usage: Usage;
  /** Chat only: `reasoning_content`, when reasoning was asked for. */
  reasoning?: string;
  /** Chat only: the one tool call (id `call_<n>`), when tools were offered. */
  toolCall?: { id: string; name: string; arguments: string };
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
}

function messages(b: CompletionRequest): ChatMessage[] {
  return list(b.messages).filter(isObject);
}

/** The text the completion echoes: the prompt, or the last user message. */
export function lastUserText(b: CompletionRequest): string {
  if (typeof b.prompt === 'string') return b.prompt;
  if (Array.isArray(b.prompt)) return b.prompt.filter((p) => typeof p === 'string').join(' ');
  const users = messages(b).filter((m) => m.role === 'user');
  return textOf(users[users.length - 1]?.content);
}

const isToolResult = (m: ChatMessage | undefined) => m?.role === 'tool' || m?.role === 'function';

function promptBytes(b: CompletionRequest): number {
  if (b.prompt !== undefined) return bytes(lastUserText(b));
  return messages(b).reduce((n, m) => n + bytes(textOf(m.content)) + bytes(list(m.tool_calls).map((c) => (isObject(c) && isObject(c.function) && typeof c.function.arguments === 'string' ? c.function.arguments : '')).join('')), 0);
}

/** The chat request as the fake reads it (text completions offer no tools and no reasoning). */
export function chatConversation(b: CompletionRequest, chat: boolean): Conversation {
  const ms = messages(b);
  let toolResult: string | undefined;
  if (chat && isToolResult(ms.at(-1))) {
    let i = ms.length;
    while (i > 0 && isToolResult(ms[i - 1])) i--;
    toolResult = ms.slice(i).map((m) => textOf(m.content)).join(' ');
  }
  const offered = list(b.tools).flatMap((t) => (isObject(t) && isObject(t.function) && typeof t.function.name === 'string' ? [t.function.name] : []));
  const c = b.tool_choice;
  const choice = c === 'none' ? 'none' : isObject(c) && isObject(c.function) && typeof c.function.name === 'string' ? c.function.name : undefined;
  const kwargs = b.chat_template_kwargs;
  const effort = b.reasoning_effort;
  return {
    userText: lastUserText(b),
    toolResult,
    tool: chat ? pickTool(offered, choice) : undefined,
    reasoning: chat && ((isObject(kwargs) && kwargs.enable_thinking === true) || (typeof effort === 'string' && effort !== 'none')),
    inputBytes: promptBytes(b),
  };
}

export function makeCompletion(upstream: string, defaultModel: string, b: CompletionRequest, chat: boolean, seq: number): Completion {
  const model = typeof b.model === 'string' ? b.model : defaultModel;
  const a = makeAnswer(upstream, model, chatConversation(b, chat), seq);
  const call = (t: FakeToolCall) => ({ id: `call_${t.n}`, name: t.name, arguments: t.arguments });
  return {
    id: `${chat ? 'chatcmpl' : 'cmpl'}-${upstream}-${seq}`,
    created: Math.floor(Date.now() / 1000),
    model,
    chat,
    content: a.text,
    usage: { prompt_tokens: a.inputTokens, completion_tokens: a.outputTokens, total_tokens: a.inputTokens + a.outputTokens },
    ...(a.reasoning !== undefined ? { reasoning: a.reasoning } : {}),
    ...(a.toolCall ? { toolCall: call(a.toolCall) } : {}),
  };
}

const finishReason = (c: Completion) => (c.toolCall ? 'tool_calls' : 'stop');

/** The non-streaming body: chat.completion or text_completion. */
export function completionJson(c: Completion): unknown {
  const message = {
    role: 'assistant',
    content: c.toolCall ? null : c.content,
    ...(c.reasoning !== undefined ? { reasoning_content: c.reasoning } : {}),
    ...(c.toolCall ? { tool_calls: [{ id: c.toolCall.id, type: 'function', function: { name: c.toolCall.name, arguments: c.toolCall.arguments } }] } : {}),
  };
  const choice = c.chat
    ? { index: 0, message, logprobs: null, finish_reason: finishReason(c) }
    : { index: 0, text: c.content, logprobs: null, finish_reason: 'stop' };
  return { id: c.id, object: c.chat ? 'chat.completion' : 'text_completion', created: c.created, model: c.model, choices: [choice], usage: c.usage };
}

/** The chat deltas after the role delta: reasoning, then content or the tool call (as vLLM streams them). */
function chatDeltas(c: Completion): Array<Record<string, unknown>> {
  const deltas: Array<Record<string, unknown>> = [];
  for (const piece of contentPieces(c.reasoning ?? '')) deltas.push({ reasoning_content: piece });
  if (!c.toolCall) {
    for (const piece of contentPieces(c.content)) deltas.push({ content: piece });
    return deltas;
  }
  const { id, name, arguments: args } = c.toolCall;
  deltas.push({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] });
  for (const piece of contentPieces(args)) deltas.push({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  return deltas;
}

/** The SSE events of a streamed completion, each `data: …\n\n`, ending with `data: [DONE]`. */
export function completionEvents(c: Completion, includeUsage: boolean): string[] {
  const object = c.chat ? 'chat.completion.chunk' : 'text_completion';
  const chunk = (choice: Record<string, unknown>) => ({ id: c.id, object, created: c.created, model: c.model, choices: [choice] });
  const events: unknown[] = [];
  if (c.chat) {
    events.push(chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }));
    for (const delta of chatDeltas(c)) events.push(chunk({ index: 0, delta, logprobs: null, finish_reason: null }));
    events.push(chunk({ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(c) }));
  } else {
    for (const piece of contentPieces(c.content)) events.push(chunk({ index: 0, text: piece, logprobs: null, finish_reason: null }));
    events.push(chunk({ index: 0, text: '', logprobs: null, finish_reason: 'stop' }));
  }
  if (includeUsage) events.push({ id: c.id, object, created: c.created, model: c.model, choices: [], usage: c.usage });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}
