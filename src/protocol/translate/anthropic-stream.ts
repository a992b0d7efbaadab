// Chat completions SSE (vLLM chunks, bytes cut anywhere) -> Anthropic Messages SSE events.
//
// Anthropic content blocks are strictly sequential (start, deltas, stop; never reopened), while
// chat deltas of several tool calls may interleave. The rule here: thinking and text blocks stream
// live and are closed whenever another kind starts (a later delta of that kind opens a new block).
// A tool call's block opens as soon as its name is known, if no other tool block is open; once
// open it stays open to the end of the stream, so its arguments can never arrive after its stop.
// Everything that arrives while a tool block is open and is not for it (other tool calls, text or
// thinking after the tool call) is buffered and emitted at the end: first the waiting tool calls in
// index order (one input_json_delta each), then the buffered text and thinking in arrival order.
// A stream vLLM writes sequentially (text, then tool 0, then tool 1) thus streams up to the first
// tool call live and sends the later tool calls whole at the end.
import { DEFAULT_MAX_EVENT_BYTES, SseParser, encodeSseEvent } from '../sse.js';
import {
  anthropicStopReason,
  anthropicUsage,
  toolInput,
  type AnthropicBlock,
  type AnthropicMessage,
} from './anthropic-response.js';
import type { ChatUsage, StreamTranslator, TranslationContext } from './types.js';

type Json = Record<string, unknown>;
type TextKind = 'thinking' | 'text';

interface ToolCall {
  index: number;
  id?: string;
  name?: string;
  /** All the arguments seen (for `completed`); while waiting, also what is still to be sent. */
  args: string;
  state: 'waiting' | 'open' | 'sent';
}

/** An emitted block, kept for `completed`. */
type Emitted = { kind: TextKind; text: string } | { kind: 'tool'; call: ToolCall; id: string; name: string };

export interface AnthropicStreamOptions {
  /** The largest upstream SSE event accepted; a bigger one ends the stream with an error event. */
  maxEventBytes?: number;
}

export function anthropicStream(ctx: TranslationContext, opts: AnthropicStreamOptions = {}): StreamTranslator {
  return new AnthropicStream(ctx, opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
}

class AnthropicStream implements StreamTranslator {
  private readonly parser: SseParser;
  private out: Buffer[] = [];
  private state: 'running' | 'done' | 'failed' = 'running';
  private started = false;
  private id = '';
  /** The open block: its index (in `emitted` and on the wire) and its kind. */
  private open: { index: number; kind: TextKind | 'tool' } | undefined;
  private readonly emitted: Emitted[] = [];
  private readonly tools = new Map<number, ToolCall>();
  private readonly trailing: Array<{ kind: TextKind; text: string }> = [];
  private finish: string | undefined;
  private lastUsage: ChatUsage | undefined;
  private message: AnthropicMessage | undefined;

  constructor(
    private readonly ctx: TranslationContext,
    maxEventBytes: number,
  ) {
    this.parser = new SseParser(maxEventBytes);
  }

  get usage(): ChatUsage | undefined {
    return this.lastUsage;
  }

  get completed(): unknown {
    return this.message;
  }

  push(chunk: Buffer): Buffer {
    if (this.state !== 'running') return Buffer.alloc(0);
    for (const ev of this.parser.push(chunk)) {
      this.onData(ev.data);
      if (this.state !== 'running') break;
    }
    const tooBig = this.parser.error;
    if (this.state === 'running' && tooBig) this.fail('api_error', `the backend stream broke off: ${tooBig}`);
    return this.drain();
  }

  end(): Buffer {
    if (this.state === 'running') {
      if (this.finish !== undefined) this.finishMessage();
      else this.fail('api_error', 'the backend stream ended before the answer was complete');
    }
    return this.drain();
  }

  private drain(): Buffer {
    const buf = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    return buf;
  }

  private send(type: string, payload: Json): void {
    this.out.push(Buffer.from(`event: ${type}\n`), encodeSseEvent(JSON.stringify({ type, ...payload })));
  }

  private onData(data: string): void {
    if (data.trim() === '[DONE]') {
      this.finishMessage();
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      chunk = undefined;
    }
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      this.fail('api_error', 'the backend sent a malformed stream chunk');
      return;
    }
    const c = chunk as Json;
    if (c.error !== undefined || c.object === 'error') {
      this.upstreamError(c);
      return;
    }
    this.start();
    if (isUsage(c.usage)) this.lastUsage = c.usage;
    const choices = Array.isArray(c.choices) ? (c.choices as unknown[]) : [];
    // n > 1 has no Anthropic equivalent: only the first choice is translated.
    const choice = choices.find((ch) => isObject(ch) && (ch.index ?? 0) === 0);
    if (isObject(choice)) this.onChoice(choice);
  }

  private onChoice(choice: Json): void {
    const delta = isObject(choice.delta) ? choice.delta : {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string') this.textDelta('thinking', reasoning);
    if (typeof delta.content === 'string') this.textDelta('text', delta.content);
    if (Array.isArray(delta.tool_calls)) {
      for (const tc of delta.tool_calls as unknown[]) if (isObject(tc)) this.toolDelta(tc);
    }
    if (typeof choice.finish_reason === 'string') this.finish = choice.finish_reason;
  }

  /** vLLM's error chunk ({"error":{message,type,code}}, or the older flat {object:"error",...}). */
  private upstreamError(c: Json): void {
    const err = isObject(c.error) ? c.error : c;
    const message = typeof err.message === 'string' && err.message !== '' ? err.message : 'the backend failed';
    const code = typeof err.code === 'number' ? err.code : 0;
    const overloaded = code === 429 || code === 503 || code === 529 || /overload/i.test(String(err.type));
    this.fail(overloaded ? 'overloaded_error' : 'api_error', message);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.id = this.ctx.newId('msg_');
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    this.send('message_start', { message });
    this.send('ping', {});
  }

  private textDelta(kind: TextKind, text: string): void {
    if (text === '') return;
    if (this.open?.kind === 'tool') {
      const last = this.trailing.at(-1);
      if (last?.kind === kind) last.text += text;
      else this.trailing.push({ kind, text });
      return;
    }
    if (this.open?.kind !== kind) {
      this.closeOpen();
      this.openText(kind);
    }
    this.sendText(kind, text);
  }

  private toolDelta(tc: Json): void {
    const index = typeof tc.index === 'number' ? tc.index : 0;
    let call = this.tools.get(index);
    if (!call) {
      call = { index, args: '', state: 'waiting' };
      this.tools.set(index, call);
    }
    const fn = isObject(tc.function) ? tc.function : {};
    if (call.id === undefined && typeof tc.id === 'string' && tc.id !== '') call.id = tc.id;
    if (call.name === undefined && typeof fn.name === 'string' && fn.name !== '') call.name = fn.name;
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    call.args += args;
    if (call.state === 'open') {
      this.sendArgs(args);
    } else if (call.name !== undefined && this.open?.kind !== 'tool') {
      this.closeOpen();
      this.openTool(call);
      this.sendArgs(call.args);
    }
  }

  private openText(kind: TextKind): void {
    const block = kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
    this.open = { index: this.emitted.length, kind };
    this.emitted.push({ kind, text: '' });
    this.send('content_block_start', { index: this.open.index, content_block: block });
  }

  private sendText(kind: TextKind, text: string): void {
    const index = this.open!.index;
    (this.emitted[index] as { text: string }).text += text;
    const delta = kind === 'thinking' ? { type: 'thinking_delta', thinking: text } : { type: 'text_delta', text };
    this.send('content_block_delta', { index, delta });
  }

  private openTool(call: ToolCall): void {
    const id = call.id ?? this.ctx.newId('toolu_');
    const name = call.name ?? '';
    call.state = 'open';
    this.open = { index: this.emitted.length, kind: 'tool' };
    this.emitted.push({ kind: 'tool', call, id, name });
    this.send('content_block_start', {
      index: this.open.index,
      content_block: { type: 'tool_use', id, name, input: {} },
    });
  }

  private sendArgs(partial: string): void {
    if (partial === '') return;
    this.send('content_block_delta', { index: this.open!.index, delta: { type: 'input_json_delta', partial_json: partial } });
  }

  private closeOpen(): void {
    if (!this.open) return;
    if (this.open.kind === 'tool') (this.emitted[this.open.index] as { call: ToolCall }).call.state = 'sent';
    this.send('content_block_stop', { index: this.open.index });
    this.open = undefined;
  }

  /** Flushes what waited (see the top of the file), then message_delta and message_stop. */
  private finishMessage(): void {
    this.start();
    this.closeOpen();
    const waiting = [...this.tools.values()].filter((c) => c.state === 'waiting').sort((a, b) => a.index - b.index);
    for (const call of waiting) {
      this.openTool(call);
      this.sendArgs(call.args);
      this.closeOpen();
    }
    for (const seg of this.trailing.splice(0)) {
      this.openText(seg.kind);
      this.sendText(seg.kind, seg.text);
      this.closeOpen();
    }
    const usage = anthropicUsage(this.lastUsage);
    const stopReason = anthropicStopReason(this.finish);
    this.send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage });
    this.send('message_stop', {});
    this.message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.ctx.model,
      content: this.emitted.map(toBlock),
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    };
    this.state = 'done';
  }

  /** Closes the open block and ends the stream with Anthropic's error event; nothing follows it. */
  private fail(type: 'api_error' | 'overloaded_error', message: string): void {
    this.closeOpen();
    this.send('error', { error: { type, message } });
    this.state = 'failed';
  }
}

function toBlock(e: Emitted): AnthropicBlock {
  if (e.kind === 'tool') return { type: 'tool_use', id: e.id, name: e.name, input: toolInput(e.call.args) };
  return e.kind === 'thinking' ? { type: 'thinking', thinking: e.text, signature: '' } : { type: 'text', text: e.text };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUsage(v: unknown): v is ChatUsage {
  return isObject(v) && typeof v.prompt_tokens === 'number' && typeof v.completion_tokens === 'number';
}
