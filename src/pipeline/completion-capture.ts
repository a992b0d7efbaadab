// telemetry.tracing.capture_content: the answer's text on the upstream client span
// (gen_ai.output.messages, at most 16 KiB), read from chat-shaped answers (chat and completions,
// JSON or SSE, and answers translated from chat) by the semantic cache's own capture. Native
// Anthropic and Responses answers are not read. Off (the default): nothing is kept.
import { AnswerCapture } from '../state/capture.js';
import type { RequestHeaders } from './headers.js';
import type { RequestTelemetry } from './trace-steps.js';

const MAX_CAPTURED_CHARS = 16 * 1024;
/** Answers larger than this are not captured (the capture gives up on them). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export class CompletionCapture {
  private constructor(
    private readonly tel: RequestTelemetry,
    private readonly capture: AnswerCapture,
  ) {}

  static begin(tel: RequestTelemetry | undefined, headers: RequestHeaders, chatShaped: boolean): CompletionCapture | undefined {
    if (!tel?.trace.recording || !tel.trace.captureContent || !tel.steps.upstream || !chatShaped) return undefined;
    const encoding = headers.get('content-encoding');
    const capture = new AnswerCapture({
      status: Number(headers.get(':status') ?? 0),
      contentType: headers.get('content-type'),
      ...(encoding ? { contentEncoding: encoding } : {}),
      cacheToolCalls: true,
      maxEntryBytes: MAX_ANSWER_BYTES,
    });
    return new CompletionCapture(tel, capture);
  }

  push(chunk: Buffer): void {
    this.capture.push(chunk);
  }

  /** The answer is complete: its text onto the upstream span (still open: the response path ends it next). */
  end(): void {
    const r = this.capture.finish();
    if (!r.storable) return;
    const message = { role: 'assistant', content: r.answer.content, finish_reason: r.answer.finishReason };
    const json = JSON.stringify([message]);
    this.tel.steps.upstream?.set({ 'gen_ai.output.messages': json.length > MAX_CAPTURED_CHARS ? json.slice(0, MAX_CAPTURED_CHARS) : json });
  }

  abort(): void {
    this.capture.abort();
  }
}
