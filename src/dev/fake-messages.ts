// The fake upstream's Anthropic Messages API (vLLM's Anthropic-compatible /v1/messages and
// /v1/messages/count_tokens): the deterministic answer of fake-answer.ts as an Anthropic Message,
// or as the SSE events Anthropic streams (message_start, ping, content blocks, message_delta,
// message_stop).
import { bytes, isObject, list, makeAnswer, namedEvent, pickTool, textOf, tokens, contentPieces, type Answer, type Conversation, type Reply } from './fake-answer.js';

export interface MessagesRequest {
  model?: unknown;
  max_tokens?: unknown;
  system?: unknown;
  messages?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  thinking?: unknown;
  stream?: unknown;
}

type Block = Record<string, unknown>;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Block[];
  stop_reason: 'end_turn' | 'tool_use';
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

export function anthropicError(message: string, type = 'invalid_request_error'): unknown {
  return { type: 'error', error: { type, message } };
}

/** A message's content as blocks (a string is one text block). */
const blocks = (content: unknown): Block[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : list(content).filter(isObject));
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function blockBytes(b: Block): number {
  if (b.type === 'text') return bytes(str(b.text));
  if (b.type === 'thinking') return bytes(str(b.thinking));
  if (b.type === 'tool_use') return bytes(JSON.stringify(b.input ?? {}));
  if (b.type === 'tool_result') return bytes(textOf(b.content));
  return 0;
}

/** A user message that carries tool results and no text: what answers a tool_use. */
function isToolResult(m: Block | undefined): boolean {
  if (m?.role !== 'user') return false;
  const bs = blocks(m.content);
  return bs.some((b) => b.type === 'tool_result') && !bs.some((b) => b.type === 'text' && str(b.text) !== '');
}

/** The Messages request as the fake reads it. */
export function messagesConversation(b: MessagesRequest): Conversation {
  const ms = list(b.messages).filter(isObject);
  const users = ms.filter((m) => m.role === 'user' && blocks(m.content).some((x) => x.type !== 'tool_result'));
  const last = ms.at(-1);
  const toolResult = isToolResult(last) ? blocks(last?.content).filter((x) => x.type === 'tool_result').map((x) => textOf(x.content)).join(' ') : undefined;
  const offered = list(b.tools).flatMap((t) => (isObject(t) && typeof t.name === 'string' && (t.type === undefined || t.type === 'custom') ? [t.name] : []));
  const c = b.tool_choice;
  const choice = isObject(c) && c.type === 'none' ? 'none' : isObject(c) && c.type === 'tool' && typeof c.name === 'string' ? c.name : undefined;
  const system = typeof b.system === 'string' ? bytes(b.system) : blocks(b.system).reduce((n, x) => n + blockBytes(x), 0);
  return {
    userText: textOf(blocks(users.at(-1)?.content).filter((x) => x.type !== 'tool_result')),
    toolResult,
    tool: pickTool(offered, choice),
    reasoning: isObject(b.thinking) && b.thinking.type === 'enabled',
    inputBytes: ms.reduce((n, m) => n + blocks(m.content).reduce((k, x) => k + blockBytes(x), 0), system),
  };
}

/** The request's first problem, in Anthropic's words, or undefined. */
export function messagesProblem(b: MessagesRequest, countOnly = false): string | undefined {
  if (!countOnly && (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens))) return 'max_tokens: Field required';
  if (!Array.isArray(b.messages)) return 'messages: Field required';
  return undefined;
}

/** A thinking block's signature: opaque to clients, deterministic here. */
const signature = (upstream: string, seq: number) => Buffer.from(`semroute-fake:${upstream}:${seq}`).toString('base64');

export function messageJson(upstream: string, model: string, a: Answer, seq: number): AnthropicMessage {
  const content: Block[] = [];
  if (a.reasoning !== undefined) content.push({ type: 'thinking', thinking: a.reasoning, signature: signature(upstream, seq) });
  if (a.toolCall) content.push({ type: 'tool_use', id: `toolu_${a.toolCall.n}`, name: a.toolCall.name, input: JSON.parse(a.toolCall.arguments) as unknown });
  else content.push({ type: 'text', text: a.text });
  return {
    id: `msg_${upstream}_${seq}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: a.toolCall ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: a.inputTokens, output_tokens: a.outputTokens },
  };
}

/** One content block's events: content_block_start, its deltas, content_block_stop. */
function blockEvents(b: Block, index: number): string[] {
  const delta = (d: Record<string, unknown>) => namedEvent('content_block_delta', { type: 'content_block_delta', index, delta: d });
  const out: string[] = [];
  if (b.type === 'thinking') {
    out.push(namedEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const piece of contentPieces(str(b.thinking))) out.push(delta({ type: 'thinking_delta', thinking: piece }));
    out.push(delta({ type: 'signature_delta', signature: b.signature }));
  } else if (b.type === 'tool_use') {
    out.push(namedEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
    for (const piece of ['', ...contentPieces(JSON.stringify(b.input))]) out.push(delta({ type: 'input_json_delta', partial_json: piece }));
  } else {
    out.push(namedEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    for (const piece of contentPieces(str(b.text))) out.push(delta({ type: 'text_delta', text: piece }));
  }
  out.push(namedEvent('content_block_stop', { type: 'content_block_stop', index }));
  return out;
}

/** The SSE events of a streamed Message, as Anthropic sends them. */
export function messageEvents(m: AnthropicMessage): string[] {
  const start = { ...m, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: m.usage.input_tokens, output_tokens: 1 } };
  return [
    namedEvent('message_start', { type: 'message_start', message: start }),
    namedEvent('ping', { type: 'ping' }),
    ...m.content.flatMap((b, i) => blockEvents(b, i)),
    namedEvent('message_delta', { type: 'message_delta', delta: { stop_reason: m.stop_reason, stop_sequence: null }, usage: { output_tokens: m.usage.output_tokens } }),
    namedEvent('message_stop', { type: 'message_stop' }),
  ];
}

/** POST /v1/messages. */
export function answerMessages(upstream: string, defaultModel: string, b: MessagesRequest, seq: number): Reply {
  const problem = messagesProblem(b);
  if (problem) return { status: 400, json: anthropicError(problem) };
  const model = typeof b.model === 'string' ? b.model : defaultModel;
  const m = messageJson(upstream, model, makeAnswer(upstream, model, messagesConversation(b), seq), seq);
  return b.stream === true ? { status: 200, events: messageEvents(m) } : { status: 200, json: m };
}

/** POST /v1/messages/count_tokens: the input tokens the same request would use. */
export function countMessageTokens(b: MessagesRequest): Reply {
  const problem = messagesProblem(b, true);
  if (problem) return { status: 400, json: anthropicError(problem) };
  return { status: 200, json: { input_tokens: tokens(messagesConversation(b).inputBytes) } };
}
