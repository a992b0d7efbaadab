// A dynamic micro-batcher for one model. Calls queue up; a batch runs when it holds
// `maxBatchSize` calls, or when calls stop arriving (the queue did not grow during one event-loop
// turn), or when the first call has waited `maxWaitUs`, whichever comes first: an idle model adds
// no wait, a burst is grouped. A batch is sorted by length (the runner pads to the batch's longest)
// and run as ONE runner call; each caller gets its own result. Calls of very different lengths are
// kept apart (`maxPaddingRatio`) so one long prompt does not make a batch of short ones pay for its
// padding, and a batch's padded tokens are bounded (`maxBatchTokens`). At most `maxInFlight`
// runner calls at a time, a queue bounded in calls and in tokens, a per-call timeout: every path
// ends in a result or a coded error, never a hang.
//
// Every call's outcome is counted per model name (`inferenceCallCounts`, read by the metrics at
// scrape time), and so is a result that came back after its caller had given up (dropped).
import type { AbortLike } from './abort-like.js';
import {
  InferenceClosedError,
  InferenceError,
  InferenceModelError,
  InferenceOverloadedError,
  InferenceTimeoutError,
  type InferenceErrorCode,
} from './errors.js';

export type InferenceCallOutcome = 'ok' | InferenceErrorCode;
export const INFERENCE_CALL_OUTCOMES: readonly InferenceCallOutcome[] = ['ok', 'timeout', 'overloaded', 'model_error', 'closed'];

/** Calls by outcome, and results computed for a caller that had already given up. */
export type InferenceCallCounts = Record<InferenceCallOutcome, number> & { dropped: number };

const CALL_COUNTS = new Map<string, InferenceCallCounts>();

function countsFor(model: string): InferenceCallCounts {
  let c = CALL_COUNTS.get(model);
  if (!c) {
    c = { ok: 0, timeout: 0, overloaded: 0, model_error: 0, closed: 0, dropped: 0 };
    CALL_COUNTS.set(model, c);
  }
  return c;
}

/**
 * Process-wide call counts by model name, monotonic (models of one name add up across reloads, and
 * across routers sharing the process). Fail-open rate = (timeout + overloaded + model_error) / all.
 */
export function inferenceCallCounts(): ReadonlyMap<string, Readonly<InferenceCallCounts>> {
  return CALL_COUNTS;
}

/** Runs one batch; must return one output per input, in the same order. */
export type BatchRunner<I, O> = (inputs: I[]) => Promise<O[]>;

export interface BatcherOptions<I> {
  /** Used in error messages. */
  name: string;
  maxBatchSize: number;
  maxWaitUs: number;
  maxQueue: number;
  /** Bound on the summed lengths of the queued calls; a call finding the queue empty always goes in. */
  maxQueueTokens?: number;
  maxInFlight?: number;
  timeoutMs: number;
  /** Token length of an input, used to sort a batch. */
  lengthOf: (input: I) => number;
  /**
   * A batch grows only while (size × longest) ≤ ratio × (sum of lengths), i.e. padding stays under
   * ratio - 1 of the real tokens. The oldest call always goes. Default 2; Infinity turns it off.
   */
  maxPaddingRatio?: number;
  /**
   * Bound on a batch's padded tokens (size × longest). A transformer's cost grows with them (the
   * attention with their square), so long calls run in small batches or alone and short ones are
   * grouped. The oldest call always goes. Default: no bound.
   */
  maxBatchTokens?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

/** What one call's batch was, told to its caller (a request's trace): its size and the call's wait. */
export interface BatchInfo {
  batchSize: number;
  /** Milliseconds the call waited in the queue before its batch started. */
  queuedMs: number;
  /** Milliseconds the batch ran. */
  runMs: number;
}

interface Pending<I, O> {
  input: I;
  length: number;
  enqueuedAt: number;
  onBatch?: ((b: BatchInfo) => void) | undefined;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  cleanup?: () => void;
}

export interface BatcherStats {
  queued: number;
  /** Sum of the queued calls' lengths. */
  queuedTokens: number;
  inFlight: number;
  batches: number;
  /** Inputs sent to the runner (sum of batch sizes). */
  items: number;
  /** Results that came back after their caller had given up (timeout, abort). */
  dropped: number;
}

/**
 * The batchers waiting for the next turn of the event loop, all run by one immediate: the batches
 * they launch then reach the inference workers in one message (worker-pool.ts posts what one
 * callback queued together), where one immediate per batcher would post one message each.
 */
const turnWaiters = new Set<() => void>();
/**
 * The pending immediate and the setImmediate that made it: one made under another timer
 * implementation (jest's fake timers, swapped since) may never fire, so a new one is made.
 */
let turn: { via: typeof setImmediate } | undefined;

function nextTurn(check: () => void): void {
  turnWaiters.add(check);
  if (turn?.via === setImmediate) return;
  turn = { via: setImmediate };
  setImmediate(runTurn);
}

function runTurn(): void {
  turn = undefined;
  const due = [...turnWaiters];
  turnWaiters.clear();
  let failure: Error | undefined;
  for (const check of due) {
    try {
      check();
    } catch (e) {
      failure ??= e instanceof Error ? e : new Error(String(e)); // the other batchers still run; the error surfaces as before
    }
  }
  if (failure) throw failure;
}

export class MicroBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private readonly running = new Set<Promise<void>>();
  /** checkWait is due at the next turn (nextTurn). */
  private waiting = false;
  private waitDeadline = 0;
  private waitSeen = 0;
  private closed = false;
  private batches = 0;
  private items = 0;
  private dropped = 0;
  private queuedTokens = 0;
  private readonly counts: InferenceCallCounts;
  private readonly maxInFlight: number;
  private readonly maxPaddingRatio: number;
  private readonly maxBatchTokens: number;
  private readonly now: () => number;

  constructor(
    private readonly runner: BatchRunner<I, O>,
    private readonly opts: BatcherOptions<I>,
  ) {
    if (!(opts.maxBatchSize >= 1)) throw new RangeError('maxBatchSize must be at least 1');
    if (!(opts.maxQueue >= 1)) throw new RangeError('maxQueue must be at least 1');
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    this.maxPaddingRatio = opts.maxPaddingRatio ?? 2;
    this.maxBatchTokens = opts.maxBatchTokens ?? Infinity;
    this.now = opts.now ?? (() => performance.now());
    this.counts = countsFor(opts.name);
  }

  stats(): BatcherStats {
    return {
      queued: this.queue.length,
      queuedTokens: this.queuedTokens,
      inFlight: this.running.size,
      batches: this.batches,
      items: this.items,
      dropped: this.dropped,
    };
  }

  /**
   * Queues one input. `signal` lets the caller give up earlier than the configured timeout (a
   * request deadline); an abort is reported with code 'timeout'.
   */
  submit(input: I, signal?: AbortLike, onBatch?: (b: BatchInfo) => void): Promise<O> {
    if (this.closed) return this.refuse(new InferenceClosedError(this.opts.name));
    if (signal?.aborted) return this.refuse(new InferenceTimeoutError(this.opts.name, 0, 'aborted by the caller'));
    if (this.queue.length >= this.opts.maxQueue) {
      return this.refuse(new InferenceOverloadedError(this.opts.name, this.opts.maxQueue));
    }
    const length = this.opts.lengthOf(input);
    const maxTokens = this.opts.maxQueueTokens;
    if (maxTokens !== undefined && this.queue.length > 0 && this.queuedTokens + length > maxTokens) {
      return this.refuse(new InferenceOverloadedError(this.opts.name, this.opts.maxQueue, { tokens: this.queuedTokens, maxTokens }));
    }
    return new Promise<O>((resolve, reject) => {
      const p: Pending<I, O> = { input, length, enqueuedAt: this.now(), onBatch, resolve, reject, timer: undefined, settled: false };
      // Leave the queue at once; an in-flight batch completes and its result is dropped.
      const giveUp = (err: InferenceTimeoutError) => {
        const i = this.queue.indexOf(p);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.queuedTokens -= p.length;
        }
        this.settle(p, undefined, err);
      };
      if (this.opts.timeoutMs > 0 && Number.isFinite(this.opts.timeoutMs)) {
        p.timer = setTimeout(() => giveUp(new InferenceTimeoutError(this.opts.name, this.opts.timeoutMs)), this.opts.timeoutMs);
      }
      if (signal) {
        const onAbort = () => giveUp(new InferenceTimeoutError(this.opts.name, 0, 'aborted by the caller'));
        signal.addEventListener('abort', onAbort, { once: true });
        p.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(p);
      this.queuedTokens += length;
      this.schedule();
    });
  }

  private refuse(err: InferenceError): Promise<never> {
    this.counts[err.code]++;
    return Promise.reject(err);
  }

  /** Refuses new calls, rejects queued ones with 'closed', and waits for the batches in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearWait();
    this.queuedTokens = 0;
    for (const p of this.queue.splice(0)) this.settle(p, undefined, new InferenceClosedError(this.opts.name));
    await Promise.allSettled([...this.running]);
  }

  private schedule(): void {
    if (this.closed || this.queue.length === 0) return;
    if (this.running.size >= this.maxInFlight) return; // the finishing batch reschedules
    if (this.queue.length >= this.opts.maxBatchSize) {
      this.clearWait();
      this.launch();
      return;
    }
    if (this.waiting) return;
    this.waitDeadline = this.now() + this.opts.maxWaitUs / 1000;
    this.waitSeen = this.queue.length;
    this.waiting = true;
    nextTurn(this.checkWait);
  }

  /** Once per event-loop turn while waiting: run unless calls are still arriving and time is left. */
  private readonly checkWait = (): void => {
    this.waiting = false;
    if (this.closed || this.running.size >= this.maxInFlight) return;
    if (this.queue.length > this.waitSeen && this.now() < this.waitDeadline) {
      this.waitSeen = this.queue.length;
      this.waiting = true;
      nextTurn(this.checkWait);
      return;
    }
    this.launch();
  };

  private clearWait(): void {
    if (this.waiting) turnWaiters.delete(this.checkWait);
    this.waiting = false;
  }

  /** Takes the oldest call and the queued calls closest to it in length, within the padding bound. */
  private take(): Pending<I, O>[] {
    const live = this.queue.filter((p) => !p.settled);
    const max = this.opts.maxBatchSize;
    if (live.length === 0) return [];
    const oldest = live[0]!;
    const others = live.slice(1).sort((a, b) => Math.abs(a.length - oldest.length) - Math.abs(b.length - oldest.length));
    const batch = [oldest];
    let longest = Math.max(1, oldest.length);
    let sum = Math.max(1, oldest.length);
    for (const p of others) {
      if (batch.length >= max) break;
      const len = Math.max(1, p.length);
      const newLongest = Math.max(longest, len);
      const padded = (batch.length + 1) * newLongest;
      if (padded > this.maxPaddingRatio * (sum + len) || padded > this.maxBatchTokens) continue;
      batch.push(p);
      longest = newLongest;
      sum += len;
    }
    const chosen = new Set(batch);
    const rest = this.queue.filter((p) => !chosen.has(p) && !p.settled);
    this.queue.length = 0;
    this.queue.push(...rest);
    this.queuedTokens = rest.reduce((n, p) => n + p.length, 0);
    return batch;
  }

  private launch(): void {
    const batch = this.take();
    if (batch.length === 0) return;
    batch.sort((a, b) => a.length - b.length);
    this.batches++;
    this.items += batch.length;
    const run = this.runBatch(batch).finally(() => {
      this.running.delete(run);
      // Calls that queued during the run have already waited; run them now.
      this.clearWait();
      while (!this.closed && this.queue.length > 0 && this.running.size < this.maxInFlight) this.launch();
    });
    this.running.add(run);
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    const startedAt = this.now();
    try {
      outputs = await this.runner(batch.map((p) => p.input));
      if (outputs.length !== batch.length) {
        throw new Error(`runner returned ${outputs.length} results for ${batch.length} inputs`);
      }
    } catch (e) {
      const err = new InferenceModelError(this.opts.name, e);
      for (const p of batch) this.settle(p, undefined, err);
      return;
    }
    const runMs = this.now() - startedAt;
    batch.forEach((p, i) => {
      if (p.onBatch && !p.settled) {
        try {
          p.onBatch({ batchSize: batch.length, queuedMs: startedAt - p.enqueuedAt, runMs });
        } catch {
          // An observer never costs a result.
        }
      }
      if (!p.settled) this.settle(p, outputs[i]);
      else {
        // Its caller gave up while the batch ran (the signal's budget): computed, not used.
        this.dropped++;
        this.counts.dropped++;
      }
    });
  }

  private settle(p: Pending<I, O>, value: O | undefined, error?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    if (p.timer) clearTimeout(p.timer);
    p.cleanup?.();
    this.counts[error instanceof InferenceError ? error.code : error === undefined ? 'ok' : 'model_error']++;
    if (error !== undefined) p.reject(error);
    else p.resolve(value as O);
  }
}
