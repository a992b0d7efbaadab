// The types of an ext_proc stream's state machine (stream.ts): what it depends on, where its
// answers go, and the phases of one request.
import type { HeaderEdit, HeaderPair } from '../pipeline/outcome.js';
import type { RequestHeaders } from '../pipeline/headers.js';
import type { RoutingSnapshot } from '../pipeline/snapshot.js';
import type { Protocol } from '../protocol/ir.js';
import type { Logger } from '../telemetry/logger.js';
import type { RouterMetrics } from '../telemetry/metrics.js';
import type { InflightTracker } from '../routing/load.js';
import type { ResponsePath, ResponsePlan } from '../pipeline/response-path.js';
import type { StateContext } from '../pipeline/state-context.js';
import type { BodyBudget } from './body-budget.js';
import type { PeerIdentity } from '../pipeline/identity-headers.js';
import type { Tracing } from '../telemetry/tracing/index.js';
import type { BodySendMode, ProcessingResponse } from './wire.js';

export interface StreamDeps {
  snapshot: RoutingSnapshot;
  /** Shared bound on body bytes held by all streams; absent = unbounded. */
  bodyBudget?: BodyBudget;
  metrics: RouterMetrics;
  logger: Logger;
  /** Counts routed requests per model until their stream ends (least_loaded). */
  inflight?: InflightTracker;
  /** Shared state for session affinity and the semantic cache; absent: both off. */
  state?: StateContext;
  /** Traces (absent: off); each stream is one request span. */
  tracing?: Tracing;
  now?: () => number;
  /** The client certificate's names on a mutual-TLS connection (the trusted-hop check). */
  peer?: PeerIdentity | undefined;
}

/** Where the stream sends its answers (a gRPC call in production, an array in unit tests). */
export interface ResponseSink {
  write(res: ProcessingResponse): void;
  end(): void;
}

export type Phase =
  | { name: 'start' }
  | {
      name: 'body';
      protocol: Protocol;
      countTokens: boolean;
      headers: RequestHeaders;
      chunks: Buffer[];
      size: number;
      cleared: boolean;
      startedAt?: number;
      /** The GIE subset hint from metadata_context (envoy.lb.subset_hint). */
      subset?: string[];
      /** FULL_DUPLEX_STREAMED: the request headers' answer, held until the body is routed. */
      heldHeaders?: HeaderEdit;
    }
  | { name: 'routed'; responseHeaders: HeaderPair[]; plan: ResponsePlan; path?: ResponsePath; onServed?: (endpoint: string) => void }
  | { name: 'passthrough' }
  | { name: 'done' };

/**
 * What one message gets back: nothing (FULL_DUPLEX_STREAMED answers when it is ready), one answer,
 * or several (FULL_DUPLEX_STREAMED's held headers answer, then the body).
 */
export type Answers = ProcessingResponse | ProcessingResponse[] | undefined;

/** Body modes in which Envoy holds the request headers until the body has been answered. */
export const HOLDS_HEADERS: ReadonlySet<BodySendMode> = new Set(['BUFFERED', 'BUFFERED_PARTIAL']);
