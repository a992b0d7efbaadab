// Chat completion answers -> OpenAI Responses answers: the Response object (the shape the official
// SDK types as `Response`), its output items and usage, shared with the stream translator, and
// upstream errors in OpenAI's error shape.
import type { ChatCompletion, ChatUsage, TranslationContext } from './types.js';

type Json = Record<string, unknown>;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseParts {
  id: string;
  createdAt: number;
  status: ResponseStatus;
  output: Json[];
  usage: ChatUsage | undefined;
  /** chat's finish_reason, for incomplete_details. */
  finishReason?: string | null | undefined;
  error?: { code: string; message: string } | undefined;
}

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why an answer stopped short, or null when it is complete. */
export function incompleteReason(finishReason: string | null | undefined): string | null {
  if (finishReason === 'length') return 'max_output_tokens';
  if (finishReason === 'content_filter') return 'content_filter';
  return null;
}

export function responsesUsage(usage: ChatUsage | undefined): ResponsesUsage | null {
  if (!usage) return null;
  const input = usage.prompt_tokens ?? 0;
  const output = usage.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: 0 },
    output_tokens: output,
    // vLLM does not count reasoning tokens apart from the others.
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens ?? input + output,
  };
}

/** The request's `text` config as the answer echoes it (format defaults to text). */
function echoText(text: unknown): Json {
  if (!isRecord(text)) return { format: { type: 'text' } };
  return { ...text, format: text.format ?? { type: 'text' } };
}

/** The Response object: the answer's parts plus the request fields OpenAI echoes back. */
export function buildResponse(parts: ResponseParts, ctx: TranslationContext): Json {
  const req = ctx.request;
  const reason = parts.status === 'incomplete' ? incompleteReason(parts.finishReason) : null;
  return {
    id: parts.id,
    object: 'response',
    created_at: parts.createdAt,
    status: parts.status,
    error: parts.error ?? null,
    incomplete_details: reason ? { reason } : null,
    model: ctx.model,
    output: parts.output,
    usage: responsesUsage(parts.usage),
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    temperature: req.temperature ?? null,
    top_p: req.top_p ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    instructions: req.instructions ?? null,
    previous_response_id: req.previous_response_id ?? null,
    store: req.store ?? true,
    text: echoText(req.text),
    reasoning: req.reasoning ?? { effort: null, summary: null },
    metadata: req.metadata ?? {},
    user: req.user ?? null,
  };
}

// ---- output items (also the shapes the stream's added/done events carry) ----

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export function reasoningItem(id: string, text: string | undefined): Json {
  return { type: 'reasoning', id, summary: [], content: text === undefined ? [] : [reasoningPart(text)] };
}

export function reasoningPart(text: string): Json {
  return { type: 'reasoning_text', text };
}

export function messageItem(id: string, status: ItemStatus, text: string | undefined): Json {
  return { type: 'message', id, status, role: 'assistant', content: text === undefined ? [] : [textPart(text)] };
}

export function textPart(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCallItem(
  id: string,
  call: { callId: string; name: string; arguments: string },
  status: ItemStatus,
): Json {
  return { type: 'function_call', id, call_id: call.callId, name: call.name, arguments: call.arguments, status };
}

/** A truncated answer: its last item is the one cut short (reasoning items carry no status). */
export function markLastIncomplete(output: Json[]): void {
  const last = output.at(-1);
  if (last && 'status' in last) last.status = 'incomplete';
}

// ---- the JSON answer ----

/** A chat completion -> the Response object (first choice; the request never asks for more). */
export function chatToResponse(chat: ChatCompletion, ctx: TranslationContext): Json {
  const id = ctx.newId('resp_');
  const createdAt = ctx.nowSeconds();
  const choice = chat.choices?.[0];
  const message = choice?.message;
  const output: Json[] = [];
  const reasoning = message?.reasoning_content || message?.reasoning;
  if (reasoning) output.push(reasoningItem(ctx.newId('rs_'), reasoning));
  if (message?.content) output.push(messageItem(ctx.newId('msg_'), 'completed', message.content));
  for (const call of message?.tool_calls ?? []) {
    const fields = { callId: call.id, name: call.function.name, arguments: call.function.arguments };
    output.push(functionCallItem(ctx.newId('fc_'), fields, 'completed'));
  }
  const finishReason = choice?.finish_reason;
  const status = incompleteReason(finishReason) ? 'incomplete' : 'completed';
  if (status === 'incomplete') markLastIncomplete(output);
  return buildResponse({ id, createdAt, status, output, usage: chat.usage ?? undefined, finishReason }, ctx);
}

// ---- errors ----

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const MAX_ERROR_TEXT = 2000;

/** The message of a non-OpenAI-shaped error: vLLM's flat error, FastAPI's detail, or the text. */
function errorMessage(status: number, text: string, json: unknown): string {
  if (isRecord(json)) {
    if (typeof json.message === 'string') return json.message;
    const detail = json.detail;
    if (typeof detail === 'string') return detail;
    if (detail != null) return JSON.stringify(detail).slice(0, MAX_ERROR_TEXT);
  }
  const trimmed = text.trim().slice(0, MAX_ERROR_TEXT);
  return trimmed || `the model server answered HTTP ${status}`;
}

/** An upstream error answer -> OpenAI's error body; an OpenAI-shaped one is kept as is. */
export function responsesErrorBody(status: number, upstreamBody: Buffer): Buffer {
  const text = upstreamBody.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (isRecord(json) && isRecord(json.error) && typeof json.error.message === 'string') return upstreamBody;
  const flat = isRecord(json) ? json : {};
  const error = {
    message: errorMessage(status, text, json),
    type: typeof flat.type === 'string' ? flat.type : errorType(status),
    param: typeof flat.param === 'string' ? flat.param : null,
    code: typeof flat.code === 'string' ? flat.code : null,
  };
  return Buffer.from(JSON.stringify({ error }), 'utf8');
}
