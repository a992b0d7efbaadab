// One HTTP request's ext_proc stream, driven as Envoy's filter drives it: one message at a time,
// each answer awaited with the message timeout and checked for the matching kind.
import * as grpc from '@grpc/grpc-js';
import type { ProcessingRequest, ProcessingResponse, RequestKind } from '../extproc/wire.js';

export type SessionResult =
  | { kind: 'answer'; res: ProcessingResponse }
  /** The processor closed the stream with OK before answering: continue unprocessed. */
  | { kind: 'closed' }
  /** Timeout, non-OK close, or a spurious answer. */
  | { kind: 'failed'; reason: 'timeout' | 'grpc_error' | 'spurious'; detail: string };

type Call = grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>;

export class ExtProcSession {
  private pending: ((r: SessionResult) => void) | undefined;
  private ended: SessionResult | undefined;

  constructor(
    private readonly call: Call,
    private readonly timeoutMs: number,
  ) {
    call.on('data', (res: ProcessingResponse) => {
      const waiter = this.pending;
      this.pending = undefined;
      // An answer nobody asked for is spurious too.
      if (waiter) waiter({ kind: 'answer', res });
      else this.finish({ kind: 'failed', reason: 'spurious', detail: 'unsolicited message' });
    });
    call.on('status', (s: grpc.StatusObject) => {
      this.finish(s.code === grpc.status.OK ? { kind: 'closed' } : { kind: 'failed', reason: 'grpc_error', detail: `${s.code} ${s.details}` });
    });
    call.on('error', () => undefined);
  }

  private finish(r: SessionResult): void {
    this.ended ??= r;
    const waiter = this.pending;
    this.pending = undefined;
    waiter?.(r);
  }

  /** Sends a message and waits for its answer. */
  send(req: ProcessingRequest, kind: RequestKind): Promise<SessionResult> {
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve({ kind: 'failed', reason: 'timeout', detail: `no answer to ${kind} within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      this.pending = (r) => {
        clearTimeout(timer);
        if (r.kind === 'answer') {
          const got = r.res.response;
          if (got !== kind && got !== 'immediate_response') {
            resolve({ kind: 'failed', reason: 'spurious', detail: `expected ${kind}, got ${got ?? 'nothing'}` });
            return;
          }
        }
        resolve(r);
      };
      this.call.write(req);
    });
  }

  close(): void {
    if (!this.ended) {
      this.ended = { kind: 'closed' };
      this.call.end();
    }
  }

  cancel(): void {
    this.ended ??= { kind: 'failed', reason: 'grpc_error', detail: 'cancelled' };
    this.call.cancel();
  }
}
