// Everything semroute does with an upstream answer as Envoy streams it through (STREAMED response
// body mode): capture it for the cache, translate it back into the client's protocol, and, for
// the Responses API, pin the conversation to its model under the response id and keep a
// translated response for previous_response_id. One object per answer, made at the response headers.
import type { Protocol } from '../protocol/ir.js';
import type { RouterMetrics } from '../telemetry/metrics.js';
import type { Pin } from '../state/types.js';
import { UsageMeter } from './usage-meter.js';
import { responseSessionIdentity } from '../state/identity.js';
import type { PendingCacheWrite } from './cache-step.js';
import type { RequestHeaders } from './headers.js';
import type { HeaderEdit } from './outcome.js';
import { ResponseCapture } from './response-capture.js';
import { background, type StateContext } from './state-context.js';
import { inputItems, saveResponse } from './stored-responses.js';
import { ResponseTranslation, type TranslationPlan } from './translation.js';
import type { RequestTelemetry } from './trace-steps.js';
import { CompletionCapture } from './completion-capture.js';
import type { TokenUsage } from './usage-meter.js';

/** What a Responses API answer leaves behind for the next turn. */
export interface ResponsesFollowUp {
  tenant: string;
  /** Written under the response id: the next turn (previous_response_id) stays on this model and endpoint. */
  pin: Pin;
  pinTtlSeconds: number;
  /** Translated answers with store: true: kept for previous_response_id and GET /v1/responses/{id}. */
  store?: { ttlSeconds: number; maxBytes: number };
}

/** Which answer's tokens are counted, how it arrives, and whether its usage chunk is the client's. */
export interface UsagePlan {
  model: string;
  decision: string;
  /** The protocol the upstream answers in. */
  upstream: Protocol;
  stream: boolean;
  /** The usage chunk was asked for by semroute, not the client: remove it. */
  strip: boolean;
  /** The model's served name (gen_ai.response.model) and gen_ai.operation.name. */
  servedModel: string;
  operation: string;
  /** A trusted tenant (the GenAI metrics' tenant label); 'none' otherwise. */
  tenant: string;
  /** models[].cost_per_million_tokens of the chosen model. */
  cost?: { input: number; output: number };
  /** When the request left semroute (performance.now()): the start of the answer's times. */
  forwardedAt?: number;
}

export interface ResponsePlan {
  cacheWrite?: PendingCacheWrite;
  usage?: UsagePlan;
  translation?: TranslationPlan;
  responses?: ResponsesFollowUp | undefined;
}

/** A native Responses answer's id is looked for in its first bytes (JSON `id`, or response.created's). */
const ID_SCAN_BYTES = 64 * 1024;
const RESPONSE_ID = /"id"\s*:\s*"(resp_[A-Za-z0-9_-]{1,200})"/;

export class ResponsePath {
  private idScan: Buffer[] | undefined;
  private idScanBytes = 0;
  private responseId: string | undefined;
  /** performance.now() of the first body bytes of a streamed answer. */
  private firstBytesAt: number | undefined;

  private constructor(
    private readonly ctx: StateContext | undefined,
    private readonly plan: ResponsePlan,
    private readonly capture: ResponseCapture | undefined,
    private readonly translation: ResponseTranslation | undefined,
    private readonly meter: UsageMeter | undefined,
    private readonly metrics: RouterMetrics | undefined,
    /** Header changes for the client's response. */
    readonly edit: HeaderEdit,
    private readonly sse: boolean,
    private readonly tel: RequestTelemetry | undefined,
    private readonly completion: CompletionCapture | undefined,
  ) {
    this.responseId = plan.translation?.responseId;
    if (plan.responses && !plan.translation) this.idScan = [];
  }

  /** undefined: nothing to do with this answer's body (Envoy need not send it). */
  static begin(ctx: StateContext | undefined, plan: ResponsePlan, headers: RequestHeaders, metrics?: RouterMetrics, tel?: RequestTelemetry): ResponsePath | undefined {
    const status = Number(headers.get(':status') ?? 0);
    tel?.steps.upstream?.set({ 'http.response.status_code': status });
    const ok = status >= 200 && status < 300;
    const capture = ctx && plan.cacheWrite ? ResponseCapture.begin(ctx, plan.cacheWrite, headers) : undefined;
    const translated = plan.translation ? ResponseTranslation.begin(plan.translation, headers) : undefined;
    const followUp = plan.responses && ctx && ok ? plan.responses : undefined;
    const u = plan.usage;
    const sse = (headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
    // A translated answer reports its usage through the translator; an error answer has none.
    const meter = u && ok && !translated ? new UsageMeter(u.upstream, sse, u.strip && sse) : undefined;
    // The answer as the upstream sends it is chat-shaped for chat, completions and translated requests.
    const completion = CompletionCapture.begin(tel, headers, !u || u.upstream === 'openai.chat' || u.upstream === 'openai.completions' || plan.translation !== undefined);
    if (!capture && !translated && !followUp && !meter && !completion) return undefined;
    let kept = plan;
    if (!followUp && plan.responses) {
      kept = { ...plan };
      delete kept.responses;
    }
    return new ResponsePath(ctx, kept, capture, translated?.translation, meter, metrics, translated?.edit ?? { set: [], remove: [] }, sse, tel, completion);
  }

  /** Upstream bytes in; the bytes for the client (undefined: unchanged). `last`: end of the body. */
  push(chunk: Buffer, last: boolean): Buffer | undefined {
    if (this.sse && this.firstBytesAt === undefined && chunk.length > 0) this.firstBytesAt = performance.now();
    this.capture?.push(chunk);
    this.completion?.push(chunk);
    this.scanForId(chunk);
    let out: Buffer | undefined;
    if (this.translation) {
      const head = this.translation.push(chunk);
      out = last ? Buffer.concat([head, this.translation.end()]) : head;
    } else if (this.meter) {
      out = this.meter.push(chunk);
      const tail = last ? this.meter.end() : undefined;
      if (tail) out = Buffer.concat([out ?? chunk, tail]);
    }
    if (last) this.finish();
    return out;
  }

  /** The stream ended early (client gone, reset): nothing is stored. */
  abort(): void {
    this.capture?.abort();
    this.completion?.abort();
    const up = this.tel?.steps.upstream;
    if (up && this.tel) {
      up.end('aborted');
      delete this.tel.steps.upstream;
    }
  }

  private countTokens(): void {
    const u = this.plan.usage;
    const metrics = this.tel?.metrics ?? this.metrics;
    if (!u || !metrics) return;
    const labels = { model: u.model, decision: u.decision };
    let usage: TokenUsage | undefined = this.meter?.usage;
    const chat = this.translation?.usage;
    if (!usage && chat) usage = { input: chat.prompt_tokens, output: chat.completion_tokens, cached: chat.prompt_tokens_details?.cached_tokens ?? 0 };
    if (usage) metrics.recordTokens(labels, usage);
    const end = performance.now();
    const first = this.firstBytesAt;
    const from = u.forwardedAt;
    metrics.recordGenAi({
      operation: u.operation,
      model: u.model,
      servedModel: u.servedModel,
      decision: u.decision,
      tenant: u.tenant,
      ...(usage ? { usage } : {}),
      ...(from !== undefined ? { durationSeconds: (end - from) / 1000 } : {}),
      ...(from !== undefined && first !== undefined ? { ttftSeconds: (first - from) / 1000 } : {}),
      // After the first token, the rest of the stream over the tokens that followed it.
      ...(first !== undefined && usage && usage.output > 1 ? { tpotSeconds: (end - first) / 1000 / (usage.output - 1) } : {}),
      ...(usage && u.cost ? { cost: (usage.input * u.cost.input + usage.output * u.cost.output) / 1e6 } : {}),
    });
  }

  private scanForId(chunk: Buffer): void {
    if (!this.idScan || this.responseId) return;
    this.idScan.push(chunk.subarray(0, ID_SCAN_BYTES - this.idScanBytes));
    this.idScanBytes += Math.min(chunk.length, ID_SCAN_BYTES - this.idScanBytes);
    const found = RESPONSE_ID.exec(Buffer.concat(this.idScan).toString('utf8'));
    if (found) this.responseId = found[1];
    if (found || this.idScanBytes >= ID_SCAN_BYTES) this.idScan = undefined;
  }

  private finish(): void {
    const tel = this.tel;
    if (this.capture && tel?.trace.recording) tel.steps.store = tel.trace.child('semroute.cache.store');
    this.capture?.end();
    this.completion?.end();
    this.countTokens();
    if (tel?.steps.upstream) {
      tel.steps.upstream.set({ 'gen_ai.response.model': this.plan.usage?.servedModel });
      tel.steps.upstream.end();
      delete tel.steps.upstream;
    }
    const { ctx, plan } = this;
    const follow = plan.responses;
    const id = this.responseId;
    if (!ctx || !follow || !id || this.translation?.failed) return;
    const identity = responseSessionIdentity(follow.tenant, id);
    background(ctx, 'set_pin', () => ctx.store.setPin(identity.key, follow.pin, follow.pinTtlSeconds));
    const response = this.translation?.completed;
    if (follow.store && plan.translation && response && typeof response === 'object') {
      const stored = { response: response as Record<string, unknown>, input: inputItems(plan.translation.request.input) };
      const { ttlSeconds, maxBytes } = follow.store;
      void saveResponse(ctx, follow.tenant, stored, ttlSeconds, maxBytes);
    }
  }
}
