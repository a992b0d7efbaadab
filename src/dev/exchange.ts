// The state of one HTTP request inside the gateway: its headers, the cached route, the processing
// mode in force, and how ext_proc outcomes turn into Envoy's reactions (ext_proc.cc
// onReceiveMessage / onGrpcError / onGrpcClose / onMessageTimeout).
import type { BodySendMode, CommonResponse, HeaderMutation, ProcessingMode, ProcessingRequest, ProcessingResponse, RequestKind } from '../extproc/wire.js';
import type { ExtProcSession, SessionEnd } from './extproc-session.js';
import { applyHeaderMutation, MutationError, type HeaderTable } from './header-mutation.js';
import { ClientGone, extProcError, immediateReply, type LocalReply } from './local-reply.js';
import { selectRoute, type GatewayRoute, type SelectedRoute } from './route-table.js';

export type FullMode = Required<ProcessingMode>;
export type Direction = 'request' | 'response';

export interface ExchangeConfig {
  routes: readonly GatewayRoute[];
  defaultUpstream: string | undefined;
  mode: FullMode;
  allowModeOverride: boolean;
  failOpen: boolean;
  maxBodyBytes: number;
}

export class Exchange {
  /** Envoy's route cache: computed from the client's headers, recomputed only on clear_route_cache. */
  route: SelectedRoute | undefined;
  mode: FullMode;
  /** False once Envoy would consider processing complete: nothing more goes to the processor. */
  processing = true;
  /** Whether the headers message of a direction was sent (Envoy then holds them for BUFFERED bodies). */
  readonly headersSent = { request: false, response: false };
  /** Aborts the upstream request: client gone, or the request failed in ext_proc. */
  readonly upstreamAbort = new AbortController();
  private failure: LocalReply | ClientGone | undefined;
  private rejectFailed!: (e: Error) => void;
  private readonly failedPromise = new Promise<never>((_, reject) => {
    this.rejectFailed = reject;
  });

  constructor(
    private readonly cfg: ExchangeConfig,
    readonly session: ExtProcSession,
    /** The request headers, mutated in place. */
    readonly headers: HeaderTable,
    readonly hasBody: boolean,
  ) {
    this.mode = { ...cfg.mode };
    this.route = selectRoute(cfg.routes, headers, cfg.defaultUpstream);
    this.failedPromise.catch(() => undefined);
    // A stream that ends while no message awaits an answer still changes the request's fate.
    session.onIdleEnd = (r) => {
      const reply = this.settle(r);
      if (reply) this.fail(reply);
    };
    session.protocolConfig = () => ({ request_body_mode: this.mode.request_body_mode, response_body_mode: this.mode.response_body_mode });
  }

  get maxBodyBytes(): number {
    return this.cfg.maxBodyBytes;
  }

  get failed(): LocalReply | ClientGone | undefined {
    return this.failure;
  }

  sendsHeaders(dir: Direction): boolean {
    return (dir === 'request' ? this.mode.request_header_mode : this.mode.response_header_mode) !== 'SKIP';
  }

  bodyMode(dir: Direction): BodySendMode {
    return dir === 'request' ? this.mode.request_body_mode : this.mode.response_body_mode;
  }

  /** Envoy's ProcessorState::shouldRemoveContentLength(). */
  dropsContentLength(dir: Direction): boolean {
    const m = this.bodyMode(dir);
    return m === 'STREAMED' || m === 'FULL_DUPLEX_STREAMED' || m === 'BUFFERED_PARTIAL' || (m === 'BUFFERED' && !this.sendsHeaders(dir));
  }

  /** Sends a message and returns its answer; undefined when processing is (or just became) complete. */
  async ask(req: ProcessingRequest, kind: RequestKind): Promise<ProcessingResponse | undefined> {
    if (!this.processing) return undefined;
    if (kind === 'request_headers') this.headersSent.request = true;
    if (kind === 'response_headers') this.headersSent.response = true;
    const r = await this.session.send(req, kind);
    if (r.kind === 'answer') {
      // Honoured only on answers to headers messages, and then for both directions (copy semantics).
      if (this.cfg.allowModeOverride && r.res.mode_override && kind.endsWith('_headers')) this.overrideMode(r.res.mode_override);
      return r.res;
    }
    const reply = this.settle(r);
    if (reply) throw this.fail(reply);
    return undefined;
  }

  /**
   * Sends without waiting; the answers are read with next(), in order. FULL_DUPLEX_STREAMED, and
   * STREAMED response bodies, which Envoy pipelines too (one answer per chunk).
   */
  post(req: ProcessingRequest, kind: RequestKind): boolean {
    if (!this.processing) return false;
    if (kind === 'request_headers') this.headersSent.request = true;
    if (kind === 'response_headers') this.headersSent.response = true;
    this.session.pipeline(kind.startsWith('request') ? 'request' : 'response');
    return this.session.post(req);
  }

  /** The next answer of `kind` to a posted message; undefined when processing is (or just became) complete. */
  async next(kind: RequestKind): Promise<ProcessingResponse | undefined> {
    if (!this.processing) return undefined;
    const r = await this.session.next(kind);
    if (r.kind === 'answer') return r.res;
    const reply = this.settle(r);
    if (reply) throw this.fail(reply);
    return undefined;
  }

  /** Applies a header mutation; a rejected one fails the request with 500 (Envoy: InvalidArgument). */
  mutate(table: HeaderTable, mutation: HeaderMutation | undefined, dir: Direction, replacing = false): void {
    try {
      applyHeaderMutation(table, mutation, { skipContentLength: this.dropsContentLength(dir), replacing });
    } catch (e) {
      if (!(e instanceof MutationError)) throw e;
      this.processing = false;
      this.session.close();
      throw this.fail(extProcError(500, `ext_proc_error: ${e.message}`));
    }
  }

  /** clear_route_cache counts only when the same CommonResponse carries a header mutation. */
  rerouteIfCleared(c: CommonResponse): void {
    if (c.header_mutation && c.clear_route_cache) this.route = selectRoute(this.cfg.routes, this.headers, this.cfg.defaultUpstream);
  }

  /** Stops sending bodies in one direction (CONTINUE_AND_REPLACE). */
  stopBody(dir: Direction): void {
    if (dir === 'request') this.mode.request_body_mode = 'NONE';
    else this.mode.response_body_mode = 'NONE';
  }

  /** Records the first failure; aborts the upstream request and any guarded wait. */
  fail(reply: LocalReply | ClientGone): LocalReply | ClientGone {
    if (!this.failure) {
      this.failure = reply;
      this.processing = false;
      this.upstreamAbort.abort(reply);
      this.rejectFailed(reply);
    }
    return this.failure;
  }

  clientGone(): void {
    this.session.cancel();
    this.fail(new ClientGone());
  }

  /** Races a wait that no ext_proc answer ends (reading the client body) against a failure. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failedPromise]);
  }

  private overrideMode(o: ProcessingMode): void {
    // Envoy ignores an override into or out of FULL_DUPLEX_STREAMED (it cannot change mid-stream).
    const duplex = (m: BodySendMode | undefined) => m === 'FULL_DUPLEX_STREAMED';
    if (duplex(this.mode.request_body_mode) || duplex(this.mode.response_body_mode) || duplex(o.request_body_mode) || duplex(o.response_body_mode)) return;
    // Envoy's setProcessingMode(): the whole mode is replaced; unset header modes mean DEFAULT (send),
    // unset body modes NONE, unset trailer modes DEFAULT (skip).
    this.mode = {
      request_header_mode: o.request_header_mode ?? 'DEFAULT',
      response_header_mode: o.response_header_mode ?? 'DEFAULT',
      request_body_mode: o.request_body_mode ?? 'NONE',
      response_body_mode: o.response_body_mode ?? 'NONE',
      request_trailer_mode: o.request_trailer_mode ?? 'DEFAULT',
      response_trailer_mode: o.response_trailer_mode ?? 'DEFAULT',
    };
  }

  /** What a terminal stream event means for the request: a reply to send, or continue unprocessed. */
  private settle(r: SessionEnd): LocalReply | ClientGone | undefined {
    this.processing = false;
    switch (r.kind) {
      case 'closed':
        return undefined;
      case 'immediate':
        return immediateReply(r.res);
      case 'failed':
        if (r.reason === 'cancelled') return new ClientGone();
        // Spurious answers fail the request even with failure_mode_allow (see docs/extproc-wire.md).
        if (this.cfg.failOpen && r.reason !== 'spurious') return undefined;
        if (r.reason === 'timeout') return extProcError(504, `ext_proc_error_per-message_timeout_exceeded: ${r.detail}`);
        return extProcError(500, `ext_proc_error_${r.reason}: ${r.detail}`);
    }
  }
}
