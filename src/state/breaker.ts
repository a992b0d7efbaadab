// A circuit breaker for the shared state: after `failures` consecutive failures (errors, timeouts,
// or successes slower than `slowMs`) calls fail fast for `openMs`; then exactly one probe call is
// let through (half-open): its success closes the breaker, its failure opens it again. Calls that
// started before the breaker last opened do not count when they finish: a late answer from a call
// sent before the outage was detected says nothing about now.
import { StateUnavailable } from './types.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  failures: number;
  openMs: number;
  slowMs: number;
  now?: () => number;
  onChange?: (state: BreakerState, previous: BreakerState) => void;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  /** Bumped each time the breaker opens. */
  private epoch = 0;
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call made now would be attempted (closed, or open long enough for a probe). */
  allowsAttempt(): boolean {
    if (this.current === 'closed') return true;
    return this.current === 'open' && this.now() - this.openedAt >= this.opts.openMs;
  }

  /** Runs `op` through the breaker; rejects with StateUnavailable('breaker_open') without calling it when open. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (!this.allowsAttempt()) throw new StateUnavailable('breaker_open', 'state store circuit breaker is open');
    if (this.current === 'open') this.transition('half_open');
    const started = this.now();
    const epoch = this.epoch;
    let result: T;
    try {
      result = await op();
    } catch (e) {
      if (epoch === this.epoch) this.recordFailure();
      throw e;
    }
    if (epoch === this.epoch) {
      if (this.now() - started > this.opts.slowMs) this.recordFailure();
      else this.recordSuccess();
    }
    return result;
  }

  private recordSuccess(): void {
    this.consecutiveFailures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  private recordFailure(): void {
    this.consecutiveFailures++;
    if (this.current === 'half_open' || (this.current === 'closed' && this.consecutiveFailures >= this.opts.failures)) {
      this.openedAt = this.now();
      this.epoch++;
      this.transition('open');
    }
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    this.current = next;
    this.opts.onChange?.(next, previous);
  }
}
