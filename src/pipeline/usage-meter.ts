// Token usage of every answer, read from the upstream's own usage report as it streams by: chat
// and completions (the JSON body's usage, or the usage-only SSE chunk that
// stream_options.include_usage asks for), Anthropic (message_start's input, message_delta's
// output), Responses (response.completed's usage). A streaming chat request that did not ask for
// usage is sent with include_usage on, and the usage chunk is taken out again before the client
// sees it, so the client gets the stream it asked for and the metrics get the tokens.
import type { Protocol } from '../protocol/ir.js';
import { SseParser } from '../protocol/sse.js';

export interface TokenUsage {
  input: number;
  output: number;
  cached: number;
}

/** JSON bodies larger than this are not parsed for usage (their usage goes uncounted). */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

type Json = Record<string, unknown>;
const EMPTY = Buffer.alloc(0);
const USAGE_KEY = Buffer.from('"usage"');
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

export class UsageMeter {
  private readonly sse: SseParser | undefined;
  private json: Buffer[] | undefined;
  private jsonBytes = 0;
  private found: TokenUsage | undefined;
  /** Bytes of an event not yet complete, while the usage chunk is being stripped. */
  private pending: Buffer = EMPTY;

  /**
   * `protocol`: what the upstream speaks; `stream`: an SSE answer; `strip`: take the chat usage
   * chunk out (the client did not ask for it).
   */
  constructor(
    private readonly protocol: Protocol,
    stream: boolean,
    private readonly strip: boolean,
  ) {
    if (stream) this.sse = new SseParser();
    else this.json = [];
  }

  get usage(): TokenUsage | undefined {
    return this.found;
  }

  /** Upstream bytes in; the bytes for the client (undefined: unchanged). */
  push(chunk: Buffer): Buffer | undefined {
    if (this.json) {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes <= MAX_JSON_BYTES) this.json.push(chunk);
      else this.json = undefined;
      return undefined;
    }
    if (this.strip) return this.stripUsage(chunk);
    for (const e of this.sse!.push(chunk)) this.readEvent(e.data);
    return undefined;
  }

  /** The body ended; returns what is still held back for the client (undefined: nothing). */
  end(): Buffer | undefined {
    if (this.json) {
      try {
        const body = this.json.length === 1 ? this.json[0]! : Buffer.concat(this.json);
        // Most answers are read once here; one without a usage member is not parsed at all.
        const doc: unknown = body.includes(USAGE_KEY) ? JSON.parse(body.toString('utf8')) : undefined;
        if (isObject(doc)) this.read(doc);
      } catch {
        // Not JSON: no usage to count.
      }
      this.json = undefined;
    }
    if (this.strip && this.pending.length > 0) {
      const rest = this.pending;
      this.pending = EMPTY;
      return rest;
    }
    return undefined;
  }

  /** Passes whole events through, minus the usage-only chunk (read first). Events end with a blank line. */
  private stripUsage(chunk: Buffer): Buffer | undefined {
    const held = this.pending.length > 0;
    const buf = held ? Buffer.concat([this.pending, chunk]) : chunk;
    let out: Buffer[] | undefined;
    let dropped = false;
    let start = 0;
    for (;;) {
      const end = eventEnd(buf, start);
      if (end < 0) break;
      const event = buf.subarray(start, end);
      if (this.isUsageChunk(event)) dropped = true;
      else (out ??= []).push(event);
      start = end;
    }
    // Copied: a view would keep the whole chunk alive.
    this.pending = start < buf.length ? Buffer.from(buf.subarray(start)) : EMPTY;
    if (!held && !dropped && start === buf.length) return undefined; // whole events, all kept: unchanged
    if (!out) return EMPTY;
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  private isUsageChunk(event: Buffer): boolean {
    if (!event.includes(USAGE_KEY)) return false;
    const text = event.toString('utf8');
    const data = text
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    try {
      const o: unknown = JSON.parse(data);
      if (!isObject(o) || !isObject(o.usage)) return false;
      this.read(o);
      return Array.isArray(o.choices) && o.choices.length === 0;
    } catch {
      return false;
    }
  }

  private readEvent(data: string): void {
    if (!data.includes('usage')) return;
    try {
      const o: unknown = JSON.parse(data);
      if (isObject(o)) this.read(o);
    } catch {
      // [DONE] or a broken chunk
    }
  }

  private read(o: Json): void {
    switch (this.protocol) {
      case 'openai.chat':
      case 'openai.completions': {
        const u = o.usage;
        if (!isObject(u)) return;
        const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
        this.found = { input: num(u.prompt_tokens), output: num(u.completion_tokens), cached: num(details.cached_tokens) };
        return;
      }
      case 'anthropic.messages': {
        // JSON: the message itself; SSE: message_start carries the message, message_delta the output.
        const u = isObject(o.usage) ? o.usage : isObject(o.message) && isObject(o.message.usage) ? o.message.usage : undefined;
        if (!u) return;
        const prev = this.found ?? { input: 0, output: 0, cached: 0 };
        this.found = {
          input: num(u.input_tokens) || prev.input,
          output: num(u.output_tokens) || prev.output,
          cached: num(u.cache_read_input_tokens) || prev.cached,
        };
        return;
      }
      case 'openai.responses': {
        const r = o.type === 'response.completed' || o.type === 'response.incomplete' ? o.response : o;
        const u = isObject(r) ? r.usage : undefined;
        if (!isObject(u)) return;
        const details = isObject(u.input_tokens_details) ? u.input_tokens_details : {};
        this.found = { input: num(u.input_tokens), output: num(u.output_tokens), cached: num(details.cached_tokens) };
        return;
      }
    }
  }
}

/** The index just past the blank line that ends the event starting at `from`, or -1. */
function eventEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** Whether a streaming chat body asked for the usage chunk itself. */
export function asksForUsage(body: Record<string, unknown>): boolean {
  const opts = body.stream_options;
  return isObject(opts) && opts.include_usage === true;
}
