// Chat completion JSON answer -> Anthropic Message, and an upstream error -> Anthropic error body.
// The block, stop reason and usage helpers are shared with the stream translator, so a streamed
// answer's `completed` message is exactly what the JSON answer would have been.
import { anthropicErrorJson } from '../errors.js';
import type { ChatCompletion, ChatUsage, TranslationContext } from './types.js';

export type AnthropicBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: AnthropicUsage;
}

const STOP_REASONS: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Chat finish_reason -> Anthropic stop_reason (missing or unknown: end_turn). */
export function anthropicStopReason(finish: string | null | undefined): string {
  return (finish && STOP_REASONS[finish]) || 'end_turn';
}

/** Chat usage -> Anthropic usage. Anthropic's input_tokens excludes cache reads (the three add up
 * to the prompt), where OpenAI's prompt_tokens includes its cached_tokens. */
export function anthropicUsage(usage: ChatUsage | null | undefined): AnthropicUsage {
  const prompt = num(usage?.prompt_tokens);
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  const out: AnthropicUsage = { input_tokens: prompt, output_tokens: num(usage?.completion_tokens) };
  if (typeof cached === 'number') {
    out.input_tokens = Math.max(0, prompt - cached);
    out.cache_read_input_tokens = cached;
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Tool call arguments -> a tool_use input; anything but a JSON object becomes {}. */
export function toolInput(args: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args ?? '');
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON: fall through
  }
  return {};
}

export function anthropicMessageFromChat(chat: ChatCompletion, ctx: TranslationContext): AnthropicMessage {
  const choice = Array.isArray(chat.choices) ? chat.choices[0] : undefined;
  if (!choice) throw new Error('the chat completion answer has no choices');
  const msg = choice.message ?? {};
  const content: AnthropicBlock[] = [];
  const thinking = msg.reasoning_content ?? msg.reasoning;
  if (typeof thinking === 'string' && thinking !== '') content.push({ type: 'thinking', thinking, signature: '' });
  if (typeof msg.content === 'string' && msg.content !== '') content.push({ type: 'text', text: msg.content });
  for (const call of msg.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id || ctx.newId('toolu_'),
      name: call.function?.name ?? '',
      input: toolInput(call.function?.arguments),
    });
  }
  return {
    id: ctx.newId('msg_'),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: anthropicStopReason(choice.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(chat.usage),
  };
}

/** An upstream error answer -> Anthropic's error body, with the upstream's message when it has one. */
export function anthropicErrorFromUpstream(status: number, upstreamBody: Buffer): Buffer {
  const message = upstreamMessage(upstreamBody) ?? `the backend answered with HTTP status ${status}`;
  return Buffer.from(anthropicErrorJson(status, message), 'utf8');
}

/** The message of an OpenAI-shaped ({error:{message}}), plain ({message}) or FastAPI ({detail}) error. */
export function upstreamMessage(body: Buffer | string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const err = o.error;
  const nested = typeof err === 'object' && err !== null ? (err as Record<string, unknown>).message : undefined;
  for (const m of [nested, err, o.message, o.detail]) if (typeof m === 'string' && m !== '') return m;
  // FastAPI validation errors: detail is a list of {msg}.
  if (Array.isArray(o.detail)) {
    const msgs = o.detail.map((d) => (d as { msg?: unknown } | null)?.msg).filter((m) => typeof m === 'string');
    if (msgs.length > 0) return msgs.join('; ');
  }
  return undefined;
}
