// One HTTP request's ext_proc stream, driven as Envoy's filter drives it (ext_proc.cc):
// - the stream opens lazily with the first message, which carries protocol_config;
// - each direction (request, response) has at most one message awaiting its answer, with its own
//   message timer; an answer must match the kind its direction awaits, or be an immediate
//   response; anything else, an answer nobody awaits included, is spurious;
// - in FULL_DUPLEX_STREAMED, and for STREAMED response bodies (which Envoy pipelines: each chunk
//   goes out as it arrives), a direction's messages go out without waiting (post) and its answers
//   queue up until read (next), in order; the timer runs while an answer is awaited;
// - a message carrying override_message_timeout is only a timer extension, honoured by Envoy only
//   with max_message_timeout, which the gateway (like Envoy by default) leaves at 0: it is ignored;
// - after the first terminal event (the processor's close or error, a timeout, a spurious message,
//   an immediate response) later messages are ignored;
// - Envoy's closeStream() half-closes and then resets the stream: the processor sees a cancel.
import * as grpc from '@grpc/grpc-js';
import type { ImmediateResponse, ProcessingRequest, ProcessingResponse, RequestKind } from '../extproc/wire.js';

export type ProcessCall = grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>;
export type ProtocolConfig = NonNullable<ProcessingRequest['protocol_config']>;

export type SessionResult =
  | { kind: 'answer'; res: ProcessingResponse }
  | { kind: 'immediate'; res: ImmediateResponse }
  /** The processor closed the stream with OK: continue unprocessed. */
  | { kind: 'closed' }
  | { kind: 'failed'; reason: 'timeout' | 'grpc_error' | 'spurious' | 'cancelled'; detail: string };

/** Every result but an answer ends the session. */
export type SessionEnd = Exclude<SessionResult, { kind: 'answer' }>;

type Direction = 'request' | 'response';

interface Waiter {
  kind: RequestKind;
  resolve: (r: SessionResult) => void;
  timer: NodeJS.Timeout;
}

function directionOf(kind: string): Direction {
  return kind.startsWith('request') ? 'request' : 'response';
}

export class ExtProcSession {
  private call: ProcessCall | undefined;
  private readonly waiters = new Map<Direction, Waiter>();
  /** FULL_DUPLEX_STREAMED directions: answers that arrived before they were read. */
  private readonly queued = new Map<Direction, ProcessingResponse[]>();
  private ended: SessionEnd | undefined;
  /** Told of a terminal event that arrived while no message awaited its answer. */
  onIdleEnd: ((r: SessionEnd) => void) | undefined;
  /** protocol_config for the first message (the body modes in force when the stream opens). */
  protocolConfig: (() => ProtocolConfig) | undefined;

  constructor(
    private readonly open: () => ProcessCall,
    private readonly timeoutMs: number,
  ) {}

  /** A pipelined direction: its answers queue instead of being spurious. */
  pipeline(dir: Direction): void {
    if (!this.queued.has(dir)) this.queued.set(dir, []);
  }

  /** Sends a message without waiting for its answer (a pipelined direction); false once the stream ended. */
  post(req: ProcessingRequest): boolean {
    if (this.ended) return false;
    return this.write(req);
  }

  /** The next answer of `kind` in a pipelined direction, or the event that ended the stream. */
  next(kind: RequestKind): Promise<SessionResult> {
    if (this.ended) return Promise.resolve(this.ended);
    const dir = directionOf(kind);
    const ready = this.queued.get(dir)?.shift();
    if (ready) return Promise.resolve(this.checked(ready, kind));
    if (this.waiters.has(dir)) throw new Error(`gateway bug: a ${dir} answer is already awaited`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.finish({ kind: 'failed', reason: 'timeout', detail: `no answer to ${kind} within ${this.timeoutMs} ms` }, 'message');
      }, this.timeoutMs);
      this.waiters.set(dir, { kind, resolve, timer });
    });
  }

  /** A queued answer of the wrong kind is spurious, as it would have been on arrival. */
  private checked(res: ProcessingResponse, kind: RequestKind): SessionResult {
    if (res.response === kind) return { kind: 'answer', res };
    this.finish({ kind: 'failed', reason: 'spurious', detail: `expected ${kind}, got ${res.response ?? 'an empty message'}` }, 'message');
    return this.ended!;
  }

  /** Opens the stream with the first message (carrying protocol_config) and writes; false when it cannot open. */
  private write(req: ProcessingRequest): boolean {
    let msg = req;
    if (!this.call) {
      try {
        this.call = this.open();
      } catch (e) {
        this.finish({ kind: 'failed', reason: 'grpc_error', detail: `cannot open stream: ${(e as Error).message}` }, 'gateway');
        return false;
      }
      this.listen(this.call);
      const pc = this.protocolConfig?.();
      if (pc) msg = { ...req, protocol_config: pc };
    }
    this.call.write(msg);
    return true;
  }

  /** Sends a message and resolves with its answer or with the event that ended the stream. */
  send(req: ProcessingRequest, kind: RequestKind): Promise<SessionResult> {
    if (this.ended) return Promise.resolve(this.ended);
    const dir = directionOf(kind);
    if (this.waiters.has(dir)) throw new Error(`gateway bug: a ${dir} message is already awaiting its answer`);
    let msg = req;
    if (!this.call) {
      try {
        this.call = this.open();
      } catch (e) {
        this.finish({ kind: 'failed', reason: 'grpc_error', detail: `cannot open stream: ${(e as Error).message}` }, 'gateway');
        return Promise.resolve(this.ended!);
      }
      this.listen(this.call);
      const pc = this.protocolConfig?.();
      if (pc) msg = { ...req, protocol_config: pc };
    }
    const call = this.call;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.finish({ kind: 'failed', reason: 'timeout', detail: `no answer to ${kind} within ${this.timeoutMs} ms` }, 'message');
      }, this.timeoutMs);
      this.waiters.set(dir, { kind, resolve, timer });
      call.write(msg);
    });
  }

  /** The request is over (Envoy's onDestroy): close the stream if it is still open. */
  close(): void {
    this.finish({ kind: 'closed' }, 'gateway');
  }

  /** The client went away: cancel the stream. */
  cancel(): void {
    this.finish({ kind: 'failed', reason: 'cancelled', detail: 'client disconnected' }, 'gateway');
  }

  private listen(call: ProcessCall): void {
    call.on('data', (res: ProcessingResponse) => this.onMessage(res));
    call.on('status', (s: grpc.StatusObject) => {
      // Let messages that arrived before the status be handled first.
      setImmediate(() => {
        const r: SessionEnd =
          s.code === grpc.status.OK ? { kind: 'closed' } : { kind: 'failed', reason: 'grpc_error', detail: `gRPC status ${s.code}: ${s.details}` };
        this.finish(r, 'server');
      });
    });
    // Errors are followed by a status.
    call.on('error', () => undefined);
  }

  private onMessage(res: ProcessingResponse): void {
    if (this.ended) return;
    if (res.override_message_timeout) return;
    const kind = res.response;
    if (kind === 'immediate_response' && res.immediate_response) {
      this.finish({ kind: 'immediate', res: res.immediate_response }, 'message');
      return;
    }
    const waiter = kind ? this.waiters.get(directionOf(kind)) : undefined;
    const queue = kind ? this.queued.get(directionOf(kind)) : undefined;
    if (kind && !waiter && queue) {
      queue.push(res);
      return;
    }
    if (!kind || !waiter || waiter.kind !== kind) {
      const detail = waiter ? `expected ${waiter.kind}, got ${kind ?? 'an empty message'}` : `unsolicited ${kind ?? 'empty message'}`;
      this.finish({ kind: 'failed', reason: 'spurious', detail }, 'message');
      return;
    }
    this.waiters.delete(directionOf(kind));
    clearTimeout(waiter.timer);
    waiter.resolve({ kind: 'answer', res });
  }

  /**
   * Ends the session once. `from`: 'server' when the processor closed the stream (nothing left to
   * close), 'message' for an event caused by a message or a timer, 'gateway' for close()/cancel().
   */
  private finish(r: SessionEnd, from: 'server' | 'message' | 'gateway'): void {
    if (this.ended) return;
    this.ended = r;
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.resolve(r);
    }
    if (waiting.length === 0 && from !== 'gateway') this.onIdleEnd?.(r);
    if (from !== 'server' && this.call) {
      // Envoy's ExternalProcessorStreamImpl::close(): closeStream() then resetStream().
      try {
        this.call.end();
        this.call.cancel();
      } catch {
        // Already gone.
      }
    }
  }
}
