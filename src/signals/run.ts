// Runs the signals a request needs, concurrently, each under its time budget. A signal that
// throws or runs out of time counts as not matched (or matched, for fail-closed signals) and is
// reported to the observer; it never fails the request.
import type { RoutingRequest } from '../protocol/ir.js';
import type { Signal, SignalObserver, SignalOutcome, SignalResult } from './types.js';

class SignalTimeout extends Error {}

/** Runs `work` under a budget; when it runs out the result is a timeout and `work` is told to stop. */
function withBudget<T>(work: (abort?: AbortSignal) => Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return work();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new SignalTimeout(`no answer within ${ms} ms`));
      controller.abort();
    }, ms);
  });
  return Promise.race([work(controller.signal), late]).finally(() => clearTimeout(timer));
}

export async function runSignal(signal: Signal, ir: RoutingRequest, observer?: SignalObserver): Promise<SignalResult> {
  const t0 = performance.now();
  let result: SignalResult;
  let outcome: SignalOutcome;
  try {
    result = await withBudget((abort) => signal.extract(ir, abort), signal.budgetMs);
    outcome = result.matched ? 'matched' : 'not_matched';
  } catch (e) {
    outcome = e instanceof SignalTimeout ? 'timeout' : 'error';
    const error = e instanceof Error ? e.message : String(e);
    const failClosed = signal.onError === 'matched';
    result = { matched: failClosed, confidence: failClosed ? 1 : 0, error };
  }
  observer?.signalEvaluated(signal, outcome, (performance.now() - t0) / 1000, result.error);
  return result;
}

export async function runSignals(signals: readonly Signal[], ir: RoutingRequest, observer?: SignalObserver): Promise<Map<string, SignalResult>> {
  const values = await Promise.all(signals.map((s) => runSignal(s, ir, observer)));
  return new Map(signals.map((s, i) => [s.name, values[i]!]));
}
