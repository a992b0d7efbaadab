// Requests in a protocol the chosen model does not serve: the upstream request translated to chat
// completions, and the answer translated back as Envoy streams it through the response body phase
// (JSON bodies whole, SSE event by event, upstream errors in the client's error shape).
import { randomUUID } from 'node:crypto';
import { API_PATH, type Protocol } from '../protocol/ir.js';
import { translatorFor, type ProtocolTranslator, type StreamTranslator, type TranslationContext, type ChatCompletion, type ChatUsage } from '../protocol/translate/index.js';
import type { HeaderEdit } from './outcome.js';
import type { RequestHeaders } from './headers.js';

/** What the response path needs to translate an answer back. */
export interface TranslationPlan {
  protocol: Protocol;
  stream: boolean;
  /** The client's body after plugins (Responses answers echo its fields). */
  request: Record<string, unknown>;
  /** The model name the client sees in answers. */
  model: string;
  /** The Responses id semroute gives this answer (known up front, so it can be pinned and stored). */
  responseId?: string;
}

/** Largest upstream JSON answer or error translated whole; a larger one fails with 502. */
export const MAX_TRANSLATED_BODY_BYTES = 32 * 1024 * 1024;
/** Upstream error bodies are read up to this much (the rest is dropped). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export const CHAT_PATH = API_PATH.chat;

export function translationContext(plan: TranslationPlan): TranslationContext {
  let responseId = plan.responseId;
  return {
    model: plan.model,
    request: plan.request,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    newId: (prefix) => {
      if (prefix === 'resp_' && responseId) {
        const id = responseId;
        responseId = undefined;
        return id;
      }
      return `${prefix}${randomUUID().replaceAll('-', '')}`;
    },
  };
}

/** A fresh Responses id in OpenAI's style. */
export function newResponseId(): string {
  return `resp_${randomUUID().replaceAll('-', '')}`;
}

type Mode =
  | { kind: 'json'; chunks: Buffer[]; size: number }
  | { kind: 'sse'; stream: StreamTranslator }
  | { kind: 'error'; status: number; chunks: Buffer[]; size: number };

/** The translation of one answer, from its response headers to its last body chunk. */
export class ResponseTranslation {
  private result: unknown;
  private usageSeen: ChatUsage | undefined;

  private constructor(
    private readonly translator: ProtocolTranslator,
    private readonly ctx: TranslationContext,
    private mode: Mode,
  ) {}

  /** At the response headers: the translation and the header edit that goes with it. */
  static begin(plan: TranslationPlan, headers: RequestHeaders): { translation: ResponseTranslation; edit: HeaderEdit } | undefined {
    const translator = translatorFor(plan.protocol);
    if (!translator) return undefined;
    const status = Number(headers.get(':status') ?? 0);
    const type = (headers.get('content-type') ?? '').toLowerCase();
    const ctx = translationContext(plan);
    let mode: Mode;
    if (status >= 400) mode = { kind: 'error', status, chunks: [], size: 0 };
    else if (type.startsWith('text/event-stream')) mode = { kind: 'sse', stream: translator.responseStream(ctx) };
    else mode = { kind: 'json', chunks: [], size: 0 };
    const contentType = mode.kind === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/json';
    // The body changes length: Envoy streams it on without content-length (chunked / HTTP/2 DATA).
    const edit: HeaderEdit = { set: [['content-type', contentType]], remove: ['content-length', 'content-encoding'] };
    return { translation: new ResponseTranslation(translator, ctx, mode), edit };
  }

  /** Upstream bytes in; the client bytes to send now. */
  push(chunk: Buffer): Buffer {
    const m = this.mode;
    if (m.kind === 'sse') return m.stream.push(chunk);
    const limit = m.kind === 'json' ? MAX_TRANSLATED_BODY_BYTES : MAX_ERROR_BODY_BYTES;
    if (m.size + chunk.length <= limit) m.chunks.push(chunk);
    else if (m.kind === 'json') this.mode = { kind: 'error', status: 502, chunks: [Buffer.from('{"error":{"message":"The model answer is too large to translate."}}')], size: 0 };
    m.size += chunk.length;
    return Buffer.alloc(0);
  }

  /** The upstream body ended: the rest of the client's answer. */
  end(): Buffer {
    const m = this.mode;
    if (m.kind === 'sse') {
      const tail = m.stream.end();
      this.result = m.stream.completed;
      this.usageSeen = m.stream.usage;
      return tail;
    }
    const body = Buffer.concat(m.chunks);
    if (m.kind === 'error') return this.translator.errorBody(m.status, body);
    try {
      const chat = JSON.parse(body.toString('utf8')) as ChatCompletion;
      this.result = this.translator.responseJson(chat, this.ctx);
      this.usageSeen = chat.usage ?? undefined;
      return Buffer.from(JSON.stringify(this.result));
    } catch {
      return this.translator.errorBody(502, Buffer.from('{"error":{"message":"The model answered with a body that is not a chat completion."}}'));
    }
  }

  /** The client's answer object once complete (what a stored Responses response keeps). */
  get completed(): unknown {
    return this.result;
  }

  get usage(): ChatUsage | undefined {
    return this.usageSeen;
  }

  /** Whether a translated upstream error (status kept) is being answered. */
  get failed(): boolean {
    return this.mode.kind === 'error';
  }
}
