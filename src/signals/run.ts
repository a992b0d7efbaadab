// Runs the signals a request needs, concurrently, each under its time budget. A signal that
// throws or runs out of time counts as not matched (or matched, for fail-closed signals) and is
// reported to the observer; it never fails the request.
//
// The budget is a timer on this thread, measured from the request's arrival at its signals (the
// signals evaluated before this one count), so it fires while a model's batch runs in an inference
// worker: the request is routed at once, a call still queued leaves the model's queue, and a
// call already running finishes in its worker with its result dropped (and counted). With
// inference.workers 0 a run blocks this thread and the budget can only fire after it.
import type { RoutingRequest } from '../protocol/ir.js';
import { BudgetAbort, type AbortLike } from '../inference/abort-like.js';
import type { Signal, SignalObserver, SignalOutcome, SignalResult } from './types.js';

class SignalTimeout extends Error {}

/**
 * Runs `work` under a budget of `ms` from `start`; when it runs out the result is a timeout and
 * `work` is told to stop.
 */
function withBudget<T>(work: (abort?: AbortLike) => Promise<T>, ms: number | undefined, start: number): Promise<T> {
  if (ms === undefined) return work();
  const controller = new BudgetAbort();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        reject(new SignalTimeout(`no answer within ${ms} ms`));
        controller.abort();
      },
      Math.max(0, start + ms - performance.now()),
    );
  });
  return Promise.race([work(controller), late]).finally(() => clearTimeout(timer));
}

/** An inference call that ran out of its own (backstop) deadline reports as a timeout too. */
function isTimeout(e: unknown): boolean {
  return e instanceof SignalTimeout || (e instanceof Error && (e as { code?: unknown }).code === 'timeout');
}

/** `arrival`: when the request reached its signals (performance.now()); default now. */
export async function runSignal(signal: Signal, ir: RoutingRequest, observer?: SignalObserver, arrival?: number): Promise<SignalResult> {
  const started = performance.now();
  let result: SignalResult;
  let outcome: SignalOutcome;
  try {
    result = await withBudget((abort) => signal.extract(ir, abort), signal.budgetMs, arrival ?? started);
    outcome = result.matched ? 'matched' : 'not_matched';
  } catch (e) {
    outcome = isTimeout(e) ? 'timeout' : 'error';
    const error = e instanceof Error ? e.message : String(e);
    const failClosed = signal.onError === 'matched';
    result = { matched: failClosed, confidence: failClosed ? 1 : 0, error };
  }
  observer?.signalEvaluated(signal, outcome, (performance.now() - started) / 1000, result.error);
  return result;
}

export async function runSignals(signals: readonly Signal[], ir: RoutingRequest, observer?: SignalObserver): Promise<Map<string, SignalResult>> {
  const arrival = performance.now();
  const values = await Promise.all(signals.map((s) => runSignal(s, ir, observer, arrival)));
  return new Map(signals.map((s, i) => [s.name, values[i]!]));
}
