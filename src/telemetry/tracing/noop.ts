// Tracing off, or a request not sampled: nothing is recorded and nothing allocated.
import type { RequestTrace, TraceSpan, Tracing } from './types.js';

const noopSpan: TraceSpan = { set: () => undefined, end: () => undefined };

export const NOOP_TRACE: RequestTrace = {
  recording: false,
  traceId: '',
  spanId: '',
  captureContent: false,
  set: () => undefined,
  end: () => undefined,
  child: () => noopSpan,
  inject: () => [],
};

/** Not sampled, but the request came with a trace id: log lines still carry it. */
export function unsampledTrace(traceId: string): RequestTrace {
  return traceId === '' ? NOOP_TRACE : { ...NOOP_TRACE, traceId };
}

export const noopTracing: Tracing = {
  enabled: false,
  start: () => NOOP_TRACE,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
