// A request's view of the router metrics while its trace records: every call goes to the real
// metrics, and the ones that tell a step's result (affinity, cache lookup and store, tokens, state
// faults) also land on that step's span. Made only for recorded requests (a Proxy per request).
import type { RouterMetrics } from '../metrics.js';
import type { RequestTrace, TraceSpan } from './types.js';

/** The spans of the steps in progress, set by the pipeline around each step. */
export interface StepSpans {
  affinity?: TraceSpan;
  cache?: TraceSpan;
  store?: TraceSpan;
  upstream?: TraceSpan;
}

export function tracedMetrics(inner: RouterMetrics, trace: RequestTrace, steps: StepSpans): RouterMetrics {
  const overrides: Partial<RouterMetrics> = {
    recordAffinity(result, reason) {
      inner.recordAffinity(result, reason);
      steps.affinity?.set({ 'semroute.affinity.result': result, 'semroute.affinity.reason': reason });
      trace.set({ 'semroute.affinity': result });
    },
    recordCacheLookup(result, labels) {
      inner.recordCacheLookup(result, labels);
      steps.cache?.set({ 'semroute.cache.result': result });
    },
    recordCacheStore(result) {
      inner.recordCacheStore(result);
      const s = steps.store;
      if (!s) return;
      s.set({ 'semroute.cache.store': result });
      s.end(result === 'failed' ? 'failed' : undefined);
      delete steps.store;
    },
    recordStateError(op, reason) {
      inner.recordStateError(op, reason);
      if (op === 'store' && steps.store) {
        steps.store.set({ 'semroute.cache.store': 'failed' });
        steps.store.end(reason);
        delete steps.store;
        return;
      }
      const s = op === 'get_pin' || op === 'set_pin' ? steps.affinity : op === 'lookup' ? steps.cache : undefined;
      s?.set({ 'semroute.state.error': reason });
    },
    recordTokens(labels, usage) {
      inner.recordTokens(labels, usage);
      steps.upstream?.set({
        'gen_ai.usage.input_tokens': usage.input,
        'gen_ai.usage.output_tokens': usage.output,
        'gen_ai.usage.cache_read.input_tokens': usage.cached,
      });
    },
  };
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key as keyof RouterMetrics];
      const v: unknown = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
