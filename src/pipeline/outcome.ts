// Neutral results of the pipeline. Only extproc/mutations.ts turns them into Envoy messages.
import type { ErrorCode } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import type { PendingCacheWrite } from './cache-step.js';
import type { ResponsesFollowUp, UsagePlan } from './response-path.js';
import type { TranslationPlan } from './translation.js';

export type HeaderPair = readonly [name: string, value: string];

/** Headers to set (overwrite, in order) and to remove. */
export interface HeaderEdit {
  set: HeaderPair[];
  remove: string[];
}

/** Reply to the client now (error, block, models list, cached answer); nothing goes upstream. */
export interface Reply {
  kind: 'reply';
  status: number;
  headers: HeaderPair[];
  body: Buffer;
  /** What it was, for metrics: an error code, or the kind of answer. */
  reason: ErrorCode | 'models_list' | 'cache_hit' | 'count_tokens' | 'stored_response';
  /** The decision that answered (a block plugin, a cache hit), for metrics. */
  decision?: string;
  /** The model whose cached answer this is (cache hit), for metrics. */
  model?: string;
}

/** After request headers: how to treat the rest of the stream. */
export type HeadersOutcome =
  /** countTokens: Anthropic's /v1/messages/count_tokens, answered by semroute once the body is read. */
  | { kind: 'await_body'; protocol: Protocol; edit: HeaderEdit; countTokens?: boolean }
  /** GET or DELETE /v1/responses/{id}: answered from the responses semroute stored, or routed to the model that holds it. */
  | { kind: 'stored_response'; method: 'GET' | 'DELETE'; id: string; edit: HeaderEdit }
  | { kind: 'passthrough'; edit: HeaderEdit }
  | Reply;

/** After the request body: where it goes and what changes. */
export type BodyOutcome =
  | {
      kind: 'forward';
      decision: string;
      model: string;
      /** Endpoint mode: the backend endpoint picked (also in the edit and Envoy's envoy.lb metadata). */
      endpoint?: string;
      /** The pick and its fallbacks in order; the header and envoy.lb metadata carry them comma-joined. */
      endpoints?: string[];
      /** routing.endpoint_picker: told the endpoint that served (x-gateway-destination-endpoint-served). */
      onServed?: (endpoint: string) => void;
      /** Routing headers for the upstream request (they change the route: clear the route cache). */
      edit: HeaderEdit;
      /** The rewritten body, or undefined when the bytes are unchanged. */
      body: Buffer | undefined;
      /** Headers for the client's response. */
      responseHeaders: HeaderPair[];
      /** Set on a cache miss that may store the answer (the response path captures it). */
      cacheWrite?: PendingCacheWrite;
      /** Set when the request was translated to chat completions: the answer is translated back. */
      translation?: TranslationPlan;
      /** Token usage to read from the answer (telemetry.token_usage). */
      usage?: UsagePlan;
      /** Responses API: the pin (and, translated, the stored response) the answer leaves for the next turn. */
      responses?: ResponsesFollowUp;
    }
  | Reply;
