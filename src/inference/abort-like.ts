// What a signal's budget hands its inference call: the part of AbortSignal the batcher uses.
// AbortSignal itself fits (callers may pass AbortSignal.timeout), but making an AbortController and
// listening on its EventTarget per model call measured about 7% of a classified request's CPU on
// the main thread (perf/pipeline-bench.ts); BudgetAbort is a flag and one listener slot.

export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class BudgetAbort implements AbortLike {
  aborted = false;
  private listeners: Array<() => void> = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Fires each listener once, in order; later calls do nothing. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fire = this.listeners;
    this.listeners = [];
    for (const l of fire) l();
  }
}
