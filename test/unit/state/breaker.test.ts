import { describe, expect, test } from '@jest/globals';
import { CircuitBreaker, type BreakerState } from '../../../src/state/breaker.js';
import { StateUnavailable } from '../../../src/state/types.js';

function setup(failures = 3, openMs = 1000, slowMs = 50) {
  let now = 0;
  const changes: Array<[BreakerState, BreakerState]> = [];
  const breaker = new CircuitBreaker({ failures, openMs, slowMs, now: () => now, onChange: (s, p) => changes.push([s, p]) });
  let calls = 0;
  const ok = () => breaker.run(() => (calls++, Promise.resolve('ok')));
  const fail = () => breaker.run(() => (calls++, Promise.reject(new Error('down'))));
  const slow = () =>
    breaker.run(() => {
      calls++;
      now += slowMs + 1;
      return Promise.resolve('late');
    });
  return { breaker, ok, fail, slow, changes, calls: () => calls, advance: (ms: number) => (now += ms) };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof StateUnavailable ? e.reason : `raw: ${(e as Error).message}`;
  }
  return 'resolved';
}

describe('CircuitBreaker', () => {
  test('opens after `failures` consecutive failures and then fails fast without calling', async () => {
    const b = setup(3);
    for (let i = 0; i < 2; i++) expect(await reason(b.fail())).toBe('raw: down');
    expect(b.breaker.state).toBe('closed');
    expect(await reason(b.fail())).toBe('raw: down');
    expect(b.breaker.state).toBe('open');
    expect(b.breaker.allowsAttempt()).toBe(false);
    const before = b.calls();
    expect(await reason(b.ok())).toBe('breaker_open');
    expect(b.calls()).toBe(before);
    expect(b.changes).toEqual([['open', 'closed']]);
  });

  test('a success resets the count: failures must be consecutive', async () => {
    const b = setup(3);
    await reason(b.fail());
    await reason(b.fail());
    await b.ok();
    await reason(b.fail());
    await reason(b.fail());
    expect(b.breaker.state).toBe('closed');
  });

  test('a call slower than slowMs counts as a failure but still returns its result', async () => {
    const b = setup(2);
    await expect(b.slow()).resolves.toBe('late');
    await expect(b.slow()).resolves.toBe('late');
    expect(b.breaker.state).toBe('open');
  });

  test('after openMs one probe goes through; others fail fast while it runs; success closes', async () => {
    const b = setup(1, 1000);
    await reason(b.fail());
    b.advance(999);
    expect(await reason(b.ok())).toBe('breaker_open');
    b.advance(1);
    expect(b.breaker.allowsAttempt()).toBe(true);
    let release!: () => void;
    const probe = b.breaker.run(() => new Promise<void>((r) => (release = r)));
    expect(b.breaker.state).toBe('half_open');
    expect(await reason(b.ok())).toBe('breaker_open');
    release();
    await probe;
    expect(b.breaker.state).toBe('closed');
    await expect(b.ok()).resolves.toBe('ok');
    expect(b.changes).toEqual([
      ['open', 'closed'],
      ['half_open', 'open'],
      ['closed', 'half_open'],
    ]);
  });

  test('a failed probe opens it again for another openMs', async () => {
    const b = setup(1, 1000);
    await reason(b.fail());
    b.advance(1000);
    expect(await reason(b.fail())).toBe('raw: down');
    expect(b.breaker.state).toBe('open');
    b.advance(999);
    expect(await reason(b.ok())).toBe('breaker_open');
    b.advance(1);
    await expect(b.ok()).resolves.toBe('ok');
    expect(b.breaker.state).toBe('closed');
  });

  test('a late answer to a call sent before the breaker opened does not close it', async () => {
    const b = setup(1, 1000);
    let release!: () => void;
    const early = b.breaker.run(() => new Promise<void>((r) => (release = r)));
    await reason(b.fail());
    expect(b.breaker.state).toBe('open');
    release();
    await early;
    expect(b.breaker.state).toBe('open');
  });
});
