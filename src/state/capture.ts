// Captures an upstream OpenAI answer (chat or legacy completion, SSE stream or one JSON body) as it
// passes through, and says at the end whether it can be cached, and if not, why.
//
// Memory is bounded by max_entry_bytes: a streamed answer keeps only its reassembled text, and a JSON
// body is buffered up to an allowance for its envelope and escaping; past either bound the capture
// gives up at once and drops everything it held.
import { SseParser } from '../protocol/sse.js';
import type { CachedAnswer } from './types.js';

/** A tool call of a stored answer (only with cache_tool_calls). */
export interface CapturedToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** What capture stores: a CachedAnswer, plus the tool calls it made when those may be cached. */
export interface CapturedAnswer extends CachedAnswer {
  toolCalls?: CapturedToolCall[];
}

export type NotStorableReason =
  | 'status' // not 2xx
  | 'content_type' // neither JSON nor SSE, or content-encoded
  | 'incomplete' // aborted, no [DONE], or no finish_reason
  | 'finish_reason' // other than stop (length, content_filter, ...)
  | 'tool_calls' // tool calls while cache_tool_calls is off
  | 'multiple_choices' // n > 1
  | 'too_large' // over max_entry_bytes
  | 'invalid_json'
  | 'upstream_error' // an error object in the body or the stream
  | 'unsupported'; // logprobs or a legacy function_call: a replay could not reproduce them

export type CaptureResult =
  | { storable: true; answer: CapturedAnswer }
  | { storable: false; reason: NotStorableReason; detail?: string };

export interface CaptureOptions {
  status: number;
  contentType: string | undefined;
  contentEncoding?: string;
  cacheToolCalls: boolean;
  maxEntryBytes: number;
  now?: () => number;
}

/** Room for a JSON body's envelope (id, usage, ...) and for escaping beyond the answer's own size. */
const envelopeAllowance = (maxEntryBytes: number) => maxEntryBytes * 2 + 16 * 1024;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class AnswerCapture {
  private readonly sse: SseParser | undefined;
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private failure: { reason: NotStorableReason; detail?: string } | undefined;
  private done = false;
  private aborted = false;
  private model = '';
  private content: string[] = [];
  private reasoning: string[] = [];
  private textBytes = 0;
  private toolCalls: CapturedToolCall[] = [];
  private finishReason: string | undefined;
  private usage: CachedAnswer['usage'];

  constructor(private readonly opts: CaptureOptions) {
    const media = (opts.contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const encoding = opts.contentEncoding?.trim().toLowerCase();
    if (opts.status < 200 || opts.status > 299) this.fail('status', String(opts.status));
    else if (encoding && encoding !== 'identity') this.fail('content_type', `content-encoding ${encoding}`);
    else if (media === 'text/event-stream') this.sse = new SseParser(envelopeAllowance(opts.maxEntryBytes));
    else if (media !== 'application/json') this.fail('content_type', media || 'none');
  }

  /** Already known not to be storable (status, content type, ...): the rest of the body may be skipped. */
  get failed(): boolean {
    return this.failure !== undefined || this.aborted;
  }

  /** Feeds a body chunk as it arrives. */
  push(chunk: Buffer): void {
    if (this.failure || this.aborted) return;
    if (!this.sse) {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes > envelopeAllowance(this.opts.maxEntryBytes)) this.fail('too_large');
      else this.json.push(chunk);
      return;
    }
    for (const event of this.sse.push(chunk)) {
      this.onEvent(event.data);
      if (this.failure) return;
    }
    if (this.sse.error) this.fail('too_large', this.sse.error);
  }

  /** The response ended early (client gone, upstream reset). */
  abort(): void {
    this.aborted = true;
    this.release();
  }

  /** The body ended: the answer to store, or why not. */
  finish(): CaptureResult {
    if (!this.failure && !this.aborted && !this.sse) this.onJsonBody();
    const result = this.verdict();
    this.release();
    return result;
  }

  private verdict(): CaptureResult {
    if (this.failure) return { storable: false, ...this.failure };
    if (this.aborted) return { storable: false, reason: 'incomplete', detail: 'aborted' };
    if (this.sse && !this.done) return { storable: false, reason: 'incomplete', detail: 'no [DONE]' };
    if (this.finishReason === undefined) return { storable: false, reason: 'incomplete', detail: 'no finish_reason' };
    const toolFinish = this.finishReason === 'tool_calls' && this.toolCalls.length > 0;
    if (this.finishReason !== 'stop' && !toolFinish) {
      return { storable: false, reason: 'finish_reason', detail: this.finishReason };
    }
    const answer: CapturedAnswer = {
      content: this.content.join(''),
      finishReason: this.finishReason,
      model: this.model,
      storedAtMs: (this.opts.now ?? Date.now)(),
    };
    const reasoning = this.reasoning.join('');
    if (reasoning) answer.reasoning = reasoning;
    if (this.usage) answer.usage = this.usage;
    if (this.toolCalls.length > 0) answer.toolCalls = this.toolCalls;
    return { storable: true, answer };
  }

  private fail(reason: NotStorableReason, detail?: string): void {
    this.failure ??= detail === undefined ? { reason } : { reason, detail };
    this.release();
  }

  private release(): void {
    this.json = [];
    this.content = [];
    this.reasoning = [];
    this.toolCalls = [];
  }

  private onEvent(data: string): void {
    if (this.done) return;
    if (data.trim() === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail('invalid_json', 'an SSE event');
    }
    if (!isRecord(chunk)) return this.fail('invalid_json', 'an SSE event is not an object');
    if (chunk.error !== undefined) return this.fail('upstream_error');
    this.onEnvelope(chunk);
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isRecord(choice)) return this.fail('invalid_json', 'a choice is not an object');
      if ((choice.index ?? 0) !== 0) return this.fail('multiple_choices');
      this.onChoice(choice, isRecord(choice.delta) ? choice.delta : undefined);
      if (this.failure) return;
    }
  }

  private onJsonBody(): void {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(this.json).toString('utf8'));
    } catch {
      return this.fail('invalid_json');
    }
    if (!isRecord(body)) return this.fail('invalid_json', 'the body is not an object');
    if (body.error !== undefined) return this.fail('upstream_error');
    this.onEnvelope(body);
    const choices = Array.isArray(body.choices) ? body.choices : [];
    if (choices.length > 1) return this.fail('multiple_choices');
    const choice: unknown = choices[0];
    if (!isRecord(choice)) return this.fail('incomplete', 'no choice');
    this.onChoice(choice, isRecord(choice.message) ? choice.message : undefined);
  }

  /** model and usage, which chunks and bodies carry alike. */
  private onEnvelope(o: Json): void {
    const model = str(o.model);
    if (!this.model && model) this.model = model;
    const u = o.usage;
    if (isRecord(u) && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') {
      this.usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
    }
  }

  /** One choice of a body or chunk: `part` is its message (body) or delta (chunk); completions carry `text`. */
  private onChoice(choice: Json, part: Json | undefined): void {
    if (choice.logprobs !== undefined && choice.logprobs !== null) return this.fail('unsupported', 'logprobs');
    this.addText(this.content, str(choice.text) ?? str(part?.content));
    // vLLM names the field reasoning_content (older) or reasoning (newer); a chunk carries one of them.
    this.addText(this.reasoning, str(part?.reasoning_content) ?? str(part?.reasoning));
    if (part?.function_call !== undefined && part.function_call !== null) return this.fail('unsupported', 'function_call');
    if (Array.isArray(part?.tool_calls) && part.tool_calls.length > 0) this.addToolCalls(part.tool_calls);
    const finish = str(choice.finish_reason);
    if (finish !== undefined) this.finishReason = finish;
  }

  private addText(into: string[], text: string | undefined): void {
    if (!text || this.failure) return;
    this.grow(Buffer.byteLength(text, 'utf8'));
    if (!this.failure) into.push(text);
  }

  /** A body's complete calls, or a stream's deltas: indexed pieces whose arguments concatenate. */
  private addToolCalls(calls: unknown[]): void {
    if (!this.opts.cacheToolCalls) return this.fail('tool_calls');
    for (const [position, call] of calls.entries()) {
      if (!isRecord(call)) return this.fail('invalid_json', 'a tool call is not an object');
      const index = typeof call.index === 'number' ? call.index : position;
      if (!Number.isInteger(index) || index < 0 || index > this.toolCalls.length) {
        return this.fail('invalid_json', 'a tool call index is out of order');
      }
      const fn = isRecord(call.function) ? call.function : {};
      const target = (this.toolCalls[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      const pieces = [str(call.id) ?? '', str(fn.name) ?? '', str(fn.arguments) ?? ''];
      this.grow(pieces.reduce((n, p) => n + Buffer.byteLength(p, 'utf8'), 0));
      if (this.failure) return;
      target.id ||= pieces[0]!;
      target.function.name ||= pieces[1]!;
      target.function.arguments += pieces[2]!;
    }
  }

  private grow(bytes: number): void {
    this.textBytes += bytes;
    if (this.textBytes > this.opts.maxEntryBytes) this.fail('too_large');
  }
}
