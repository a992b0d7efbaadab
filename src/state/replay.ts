// Replays a cached answer in the shape the client asked for: one JSON body, or a whole SSE stream
// (role chunk, text chunks, finish chunk, optional usage chunk, [DONE]) in one buffer.
import { randomUUID } from 'node:crypto';
import type { RoutingRequest } from '../protocol/ir.js';
import { encodeSseEvent } from '../protocol/sse.js';
import type { CapturedAnswer } from './capture.js';

export interface ReplayResponse {
  status: 200;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface ReplayOptions {
  /** Clock for `created` (Unix ms). */
  now?: () => number;
  /** Largest text delta of a streamed replay, in UTF-16 code units. */
  maxChunkChars?: number;
}

type Json = Record<string, unknown>;
type ReplayRequest = Pick<RoutingRequest, 'protocol' | 'stream' | 'body'>;

const DEFAULT_CHUNK_CHARS = 64;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Splits text into pieces of at most `max` UTF-16 code units, never between the halves of a
 * surrogate pair (a pair longer than `max` = 1 goes whole).
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + Math.max(1, max), text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += end - 1 > i ? -1 : 1;
    pieces.push(text.slice(i, end));
    i = end;
  }
  return pieces;
}

function usageJson(answer: CapturedAnswer): Json | undefined {
  const u = answer.usage;
  if (!u) return undefined;
  return { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens };
}

function toolCallsJson(answer: CapturedAnswer, withIndex: boolean): Json[] {
  return (answer.toolCalls ?? []).map((c, index) => ({
    ...(withIndex ? { index } : {}),
    id: c.id,
    type: c.type,
    function: { name: c.function.name, arguments: c.function.arguments },
  }));
}

function wantsUsage(body: Json): boolean {
  const opts = body.stream_options;
  return typeof opts === 'object' && opts !== null && (opts as Json).include_usage === true;
}

export function replayAnswer(answer: CapturedAnswer, req: ReplayRequest, opts: ReplayOptions = {}): ReplayResponse {
  const chat = req.protocol === 'openai.chat';
  const head = {
    // randomUUID draws from a cached entropy pool: cheaper per hit than randomBytes.
    id: `${chat ? 'chatcmpl' : 'cmpl'}-cache-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    created: Math.floor((opts.now ?? Date.now)() / 1000),
    model: answer.model,
  };
  if (!req.stream) {
    const body = chat ? chatJson(answer) : completionJson(answer);
    return {
      status: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(JSON.stringify({ ...head, ...body }), 'utf8'),
    };
  }
  const max = opts.maxChunkChars ?? DEFAULT_CHUNK_CHARS;
  const chunks = chat ? chatChunks(answer, max) : completionChunks(answer, max);
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const events: Json[] = chunks.map((choice) => ({ ...head, object, choices: [choice] }));
  const usage = usageJson(answer);
  if (usage && wantsUsage(req.body)) events.push({ ...head, object, choices: [], usage });
  return {
    status: 200,
    headers: [['content-type', 'text/event-stream; charset=utf-8']],
    body: Buffer.concat([...events.map((e) => encodeSseEvent(JSON.stringify(e))), encodeSseEvent('[DONE]')]),
  };
}

function chatJson(answer: CapturedAnswer): Json {
  const toolCalls = toolCallsJson(answer, false);
  const message: Json = { role: 'assistant', content: toolCalls.length > 0 && !answer.content ? null : answer.content };
  if (answer.reasoning) message.reasoning_content = answer.reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const usage = usageJson(answer);
  return {
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    ...(usage ? { usage } : {}),
  };
}

function completionJson(answer: CapturedAnswer): Json {
  const usage = usageJson(answer);
  return {
    object: 'text_completion',
    choices: [{ index: 0, text: answer.content, logprobs: null, finish_reason: answer.finishReason }],
    ...(usage ? { usage } : {}),
  };
}

function chatChunks(answer: CapturedAnswer, max: number): Json[] {
  const choice = (delta: Json, finish: string | null = null): Json => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  const chunks = [choice({ role: 'assistant', content: '' })];
  for (const piece of splitText(answer.reasoning ?? '', max)) chunks.push(choice({ reasoning_content: piece }));
  for (const piece of splitText(answer.content, max)) chunks.push(choice({ content: piece }));
  for (const call of toolCallsJson(answer, true)) chunks.push(choice({ tool_calls: [call] }));
  chunks.push(choice({}, answer.finishReason));
  return chunks;
}

function completionChunks(answer: CapturedAnswer, max: number): Json[] {
  const choice = (text: string, finish: string | null = null): Json => ({ index: 0, text, logprobs: null, finish_reason: finish });
  return [...splitText(answer.content, max).map((piece) => choice(piece)), choice('', answer.finishReason)];
}
