// The response half of the semantic cache: the answer of a cache miss is captured as Envoy streams
// it through (JSON or SSE) and stored, in the background, only when it is complete and storable.
import { AnswerCapture } from '../state/capture.js';
import type { PendingCacheWrite } from './cache-step.js';
import type { RequestHeaders } from './headers.js';
import { background, type StateContext } from './state-context.js';

export class ResponseCapture {
  private constructor(
    private readonly ctx: StateContext,
    private readonly pending: PendingCacheWrite,
    private readonly capture: AnswerCapture,
  ) {}

  /** Starts at the response headers; undefined when the answer cannot be stored (status, type). */
  static begin(ctx: StateContext, pending: PendingCacheWrite, headers: RequestHeaders): ResponseCapture | undefined {
    const encoding = headers.get('content-encoding');
    const capture = new AnswerCapture({
      status: Number(headers.get(':status') ?? 0),
      contentType: headers.get('content-type'),
      ...(encoding ? { contentEncoding: encoding } : {}),
      cacheToolCalls: pending.cacheToolCalls,
      maxEntryBytes: pending.maxEntryBytes,
    });
    if (capture.failed) {
      ctx.metrics.recordCacheStore('not_storable');
      return undefined;
    }
    return new ResponseCapture(ctx, pending, capture);
  }

  push(chunk: Buffer): void {
    this.capture.push(chunk);
  }

  /** The body ended: store the answer when it is storable. */
  end(): void {
    const result = this.capture.finish();
    if (!result.storable) {
      this.ctx.metrics.recordCacheStore('not_storable');
      return;
    }
    const { ctx, pending } = this;
    background(ctx, 'store', async () => {
      await ctx.store.store({ ...pending.write, answer: result.answer });
      ctx.metrics.recordCacheStore('stored');
    });
  }

  /** The stream ended early (client gone, reset): nothing is stored. */
  abort(): void {
    this.capture.abort();
  }
}
