// Neutral results of the pipeline. Only extproc/mutations.ts turns them into Envoy messages.
import type { ErrorCode } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import type { PendingCacheWrite } from './cache-step.js';

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
  reason: ErrorCode | 'models_list' | 'cache_hit';
  /** The decision that answered (a block plugin, a cache hit), for metrics. */
  decision?: string;
  /** The model whose cached answer this is (cache hit), for metrics. */
  model?: string;
}

/** After request headers: how to treat the rest of the stream. */
export type HeadersOutcome =
  | { kind: 'await_body'; protocol: Protocol; edit: HeaderEdit }
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
      /** Routing headers for the upstream request (they change the route: clear the route cache). */
      edit: HeaderEdit;
      /** The rewritten body, or undefined when the bytes are unchanged. */
      body: Buffer | undefined;
      /** Headers for the client's response. */
      responseHeaders: HeaderPair[];
      /** Set on a cache miss that may store the answer (the response path captures it). */
      cacheWrite?: PendingCacheWrite;
    }
  | Reply;
