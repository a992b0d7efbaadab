// A chat completions SSE stream (bytes cut anywhere) -> the OpenAI Responses streaming events.
//
// Output items open in the order their first delta arrives and only one is open at a time: the
// Responses stream cannot reopen an item once its output_item.done went out, while chat deltas may
// interleave tool calls (index 0, 1, 0). So:
// - reasoning and text stream live; a switch between them closes the open item and opens another;
// - the first tool call (once its name is known) streams live; calls that start while it is open
//   are buffered and emitted whole, in order, when it closes (at the end, or when text resumes);
// - a delta for a call already closed cannot be delivered: the stream ends with the error ending.
// Every end is well formed: response.completed / response.incomplete, or `error` + response.failed.
import { DEFAULT_MAX_EVENT_BYTES, SseParser, type SseEvent } from '../sse.js';
import {
  buildResponse,
  functionCallItem,
  incompleteReason,
  isRecord,
  messageItem,
  reasoningItem,
  reasoningPart,
  textPart,
  type ItemStatus,
  type ResponseStatus,
} from './responses-response.js';
import type { ChatUsage, StreamTranslator, TranslationContext } from './types.js';

type Json = Record<string, unknown>;

interface CallState {
  callId: string;
  name: string;
  args: string;
  done: boolean;
}

interface OpenItem {
  kind: 'message' | 'reasoning' | 'call';
  id: string;
  outputIndex: number;
  /** The text so far (message, reasoning); a call's arguments live in `call`. */
  text: string;
  call?: CallState;
}

export interface ResponsesStreamOptions {
  /** The largest upstream SSE event accepted (bigger: the error ending). */
  maxEventBytes?: number;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** One event with its `event:` line (encodeSseEvent writes data: lines only). */
function sseEvent(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class ResponsesStreamTranslator implements StreamTranslator {
  private readonly parser: SseParser;
  private readonly id: string;
  private readonly createdAt: number;
  private out: string[] = [];
  private seq = 0;
  private started = false;
  private ended = false;
  private readonly output: Json[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, CallState>();
  /** Calls waiting for their turn (another call is open, or their name is not known yet). */
  private pending: CallState[] = [];
  private finishReason: string | undefined;
  private lastUsage: ChatUsage | undefined;
  private final: Json | undefined;

  constructor(
    private readonly ctx: TranslationContext,
    options: ResponsesStreamOptions = {},
  ) {
    this.parser = new SseParser(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
    this.id = ctx.newId('resp_');
    this.createdAt = ctx.nowSeconds();
  }

  get usage(): ChatUsage | undefined {
    return this.lastUsage;
  }

  get completed(): unknown {
    return this.final;
  }

  push(chunk: Buffer): Buffer {
    if (this.ended) return Buffer.alloc(0);
    this.start();
    for (const event of this.parser.push(chunk)) {
      this.onEvent(event);
      if (this.ended) break;
    }
    if (!this.ended && this.parser.error) this.fail(this.parser.error);
    return this.flush();
  }

  end(): Buffer {
    if (this.ended) return Buffer.alloc(0);
    this.start();
    // A finish_reason means the answer is whole; only the usage chunk and [DONE] are missing.
    if (this.finishReason !== undefined) this.finish();
    else this.fail('the model server ended the stream before the answer was complete');
    return this.flush();
  }

  private flush(): Buffer {
    const bytes = Buffer.from(this.out.join(''), 'utf8');
    this.out = [];
    return bytes;
  }

  private emit(type: string, fields: Json): void {
    this.out.push(sseEvent(type, { type, ...fields, sequence_number: this.seq++ }));
  }

  private response(status: ResponseStatus, output: Json[], error?: { code: string; message: string }): Json {
    const parts = { id: this.id, createdAt: this.createdAt, status, output, usage: this.lastUsage };
    return buildResponse({ ...parts, finishReason: this.finishReason, error }, this.ctx);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.emit('response.created', { response: this.response('in_progress', []) });
    this.emit('response.in_progress', { response: this.response('in_progress', []) });
  }

  // ---- upstream events ----

  private onEvent(event: SseEvent): void {
    if (event.data === '[DONE]') return this.finish();
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return this.fail('the model server sent an invalid stream event');
    }
    if (!isRecord(chunk)) return this.fail('the model server sent an invalid stream event');
    if (chunk.error !== undefined) return this.fail(upstreamErrorMessage(chunk.error));
    if (isRecord(chunk.usage)) this.lastUsage = chunk.usage as unknown as ChatUsage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : [];
    // The request never asks for n > 1: only the first choice is translated.
    const choice = choices.find((c) => isRecord(c) && (c.index ?? 0) === 0);
    if (isRecord(choice)) this.onChoice(choice);
  }

  private onChoice(choice: Json): void {
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const reasoning = nonEmpty(delta.reasoning_content) ?? nonEmpty(delta.reasoning);
    if (reasoning !== undefined) this.textDelta('reasoning', reasoning);
    const content = nonEmpty(delta.content);
    if (content !== undefined) this.textDelta('message', content);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls as unknown[]) {
        if (isRecord(call)) this.toolDelta(call);
        if (this.ended) return;
      }
    }
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
  }

  // ---- text and reasoning ----

  private textDelta(kind: 'message' | 'reasoning', delta: string): void {
    if (this.open?.kind !== kind) {
      this.closeOpen(false);
      this.openText(kind);
    }
    const open = this.open!;
    open.text += delta;
    const where = { item_id: open.id, output_index: open.outputIndex, content_index: 0 };
    if (kind === 'message') this.emit('response.output_text.delta', { ...where, delta, logprobs: [] });
    else this.emit('response.reasoning_text.delta', { ...where, delta });
  }

  private openText(kind: 'message' | 'reasoning'): void {
    const id = this.ctx.newId(kind === 'message' ? 'msg_' : 'rs_');
    const open: OpenItem = { kind, id, outputIndex: this.output.length, text: '' };
    this.open = open;
    const item = kind === 'message' ? messageItem(id, 'in_progress', undefined) : reasoningItem(id, undefined);
    this.emit('response.output_item.added', { output_index: open.outputIndex, item });
    const part = kind === 'message' ? textPart('') : reasoningPart('');
    this.emit('response.content_part.added', { item_id: id, output_index: open.outputIndex, content_index: 0, part });
  }

  // ---- tool calls ----

  private toolDelta(delta: Json): void {
    const index = typeof delta.index === 'number' ? delta.index : 0;
    let call = this.calls.get(index);
    if (!call) {
      // The model moved on to tool calls: an open text item is finished.
      if (this.open && this.open.kind !== 'call') this.closeOpen(false);
      call = { callId: '', name: '', args: '', done: false };
      this.calls.set(index, call);
      this.pending.push(call);
    }
    if (call.done) return this.fail('the model server sent tool call arguments after the call was closed');
    const fn = isRecord(delta.function) ? delta.function : {};
    if (!call.callId && nonEmpty(delta.id)) call.callId = delta.id as string;
    if (!call.name && nonEmpty(fn.name)) call.name = fn.name as string;
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    call.args += args;
    const open = this.open;
    if (open?.call === call) {
      if (args) this.emit('response.function_call_arguments.delta', this.argsDelta(open, args));
    } else if (!open && call.name && this.pending[0] === call) {
      this.pending.shift();
      this.openCall(call);
    }
  }

  private argsDelta(open: OpenItem, delta: string): Json {
    return { item_id: open.id, output_index: open.outputIndex, delta };
  }

  /** Opens a call's item and sends the arguments it has so far as one delta. */
  private openCall(call: CallState): void {
    if (!call.callId) call.callId = this.ctx.newId('call_');
    const open: OpenItem = { kind: 'call', id: this.ctx.newId('fc_'), outputIndex: this.output.length, text: '', call };
    this.open = open;
    const item = functionCallItem(open.id, { ...call, arguments: '' }, 'in_progress');
    this.emit('response.output_item.added', { output_index: open.outputIndex, item });
    if (call.args) this.emit('response.function_call_arguments.delta', this.argsDelta(open, call.args));
  }

  // ---- closing ----

  /** Closes the open item, then sends the buffered calls whole; `truncated`: the last one is cut short. */
  private closeOpen(truncated: boolean): void {
    const pending = this.pending;
    this.pending = [];
    if (this.open) this.closeItem(this.open, truncated && pending.length === 0 ? 'incomplete' : 'completed');
    pending.forEach((call, i) => {
      this.openCall(call);
      this.closeItem(this.open!, truncated && i === pending.length - 1 ? 'incomplete' : 'completed');
    });
  }

  private closeItem(open: OpenItem, status: ItemStatus): void {
    this.open = undefined;
    const where = { item_id: open.id, output_index: open.outputIndex };
    let item: Json;
    if (open.kind === 'call') {
      const call = open.call!;
      call.done = true;
      this.emit('response.function_call_arguments.done', { ...where, name: call.name, arguments: call.args });
      item = functionCallItem(open.id, { ...call, arguments: call.args }, status);
    } else if (open.kind === 'message') {
      this.emit('response.output_text.done', { ...where, content_index: 0, text: open.text, logprobs: [] });
      this.emit('response.content_part.done', { ...where, content_index: 0, part: textPart(open.text) });
      item = messageItem(open.id, status, open.text);
    } else {
      this.emit('response.reasoning_text.done', { ...where, content_index: 0, text: open.text });
      this.emit('response.content_part.done', { ...where, content_index: 0, part: reasoningPart(open.text) });
      item = reasoningItem(open.id, open.text);
    }
    this.output.push(item);
    this.emit('response.output_item.done', { output_index: open.outputIndex, item });
  }

  private finish(): void {
    const truncated = incompleteReason(this.finishReason) !== null;
    this.closeOpen(truncated);
    const response = this.response(truncated ? 'incomplete' : 'completed', this.output);
    this.emit(truncated ? 'response.incomplete' : 'response.completed', { response });
    this.final = response;
    this.ended = true;
  }

  /** The error ending: `error`, then response.failed with what was produced so far. */
  private fail(message: string): void {
    this.emit('error', { code: 'server_error', message, param: null });
    const output = [...this.output];
    const open = this.open;
    if (open?.kind === 'message') output.push(messageItem(open.id, 'incomplete', open.text));
    if (open?.kind === 'reasoning') output.push(reasoningItem(open.id, open.text));
    if (open?.call) output.push(functionCallItem(open.id, { ...open.call, arguments: open.call.args }, 'incomplete'));
    const response = this.response('failed', output, { code: 'server_error', message });
    this.emit('response.failed', { response });
    this.ended = true;
  }
}

function upstreamErrorMessage(error: unknown): string {
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  if (typeof error === 'string' && error) return error;
  return 'the model server reported an error';
}

export function createResponsesStream(ctx: TranslationContext, options?: ResponsesStreamOptions): StreamTranslator {
  return new ResponsesStreamTranslator(ctx, options);
}
