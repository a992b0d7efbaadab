import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { MicroBatcher, type BatcherOptions } from '../../../src/inference/batcher.js';
import { InferenceError } from '../../../src/inference/errors.js';
import { until } from '../../helpers/until.js';

interface Call {
  inputs: string[];
  release: () => void;
  fail: (e: Error) => void;
}

/** A runner that records each batch and answers when the test releases it. */
function gatedRunner() {
  const calls: Call[] = [];
  const runner = (inputs: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ inputs: [...inputs], release: () => resolve(inputs.map((s) => `out:${s}`)), fail: reject });
    });
  return { calls, runner };
}

/** A runner that answers at once. */
function instantRunner() {
  const batches: string[][] = [];
  const runner = (inputs: string[]) => {
    batches.push([...inputs]);
    return Promise.resolve(inputs.map((s) => `out:${s}`));
  };
  return { batches, runner };
}

const opts = (o: Partial<BatcherOptions<string>> = {}): BatcherOptions<string> => ({
  name: 'm',
  maxBatchSize: 4,
  maxWaitUs: 10_000,
  maxQueue: 100,
  timeoutMs: 60_000,
  lengthOf: (s) => s.length,
  ...o,
});

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => {
  jest.useRealTimers();
});

describe('MicroBatcher', () => {
  test('a full batch runs at once without waiting', async () => {
    jest.useFakeTimers();
    const { batches, runner } = instantRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 3 }));
    const results = Promise.all(['a', 'b', 'c'].map((s) => b.submit(s)));
    await flush();
    expect(batches).toHaveLength(1);
    expect(await results).toEqual(['out:a', 'out:b', 'out:c']);
    await b.close();
  });

  test("each call is told its batch: the batch's size, its own time queued and the batch's run (a request's trace)", async () => {
    let clock = 1000;
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 2, now: () => clock }));
    const seen: Array<{ id: string; batchSize: number; queuedMs: number; runMs: number }> = [];
    const first = b.submit('a', undefined, (x) => seen.push({ id: 'a', ...x }));
    clock = 1004;
    const second = b.submit('b', undefined, (x) => seen.push({ id: 'b', ...x }));
    await until(() => calls.length === 1);
    clock = 1010;
    calls[0]!.release();
    expect(await Promise.all([first, second])).toEqual(['out:a', 'out:b']);
    // The batch started at 1004 (full with 'b') and ran 6 ms.
    expect(seen.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'a', batchSize: 2, queuedMs: 4, runMs: 6 },
      { id: 'b', batchSize: 2, queuedMs: 0, runMs: 6 },
    ]);
    await b.close();
  });

  test('calls made in the same turn share a batch, and an idle batcher does not wait out maxWaitUs', async () => {
    const { batches, runner } = instantRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 8, maxWaitUs: 60_000_000 }));
    const ps = [b.submit('a'), b.submit('b')];
    expect(await Promise.all(ps)).toEqual(['out:a', 'out:b']);
    expect(batches).toEqual([['a', 'b']]);
    await b.close();
  });

  test('while calls keep arriving the batch waits for them, up to maxWaitUs', async () => {
    let clock = 0;
    const { batches, runner } = instantRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 16, maxWaitUs: 3000, now: () => clock }));
    const turn = () => new Promise((r) => setImmediate(r));
    const ps = [b.submit('a'), b.submit('b')];
    for (const name of ['c', 'd', 'e', 'f', 'g']) {
      await turn();
      clock += 1; // ms
      ps.push(b.submit(name));
    }
    await Promise.all(ps);
    // a..e arrived within 3 ms of the first call; f and g each came alone to an idle batcher.
    expect(batches).toEqual([['a', 'b', 'c', 'd', 'e'], ['f'], ['g']]);
    await b.close();
  });

  test('calls of very different lengths go to different batches; the oldest always goes first', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 8, maxWaitUs: 0 }));
    const long = 'l'.repeat(20);
    const ps = ['x', long, 'xy', 'abc', 'm'].map((s) => b.submit(s));
    await new Promise((r) => setImmediate(r));
    expect(calls.map((c) => c.inputs)).toEqual([['x', 'm', 'xy', 'abc']]);
    calls[0]!.release();
    await flush();
    expect(calls[1]!.inputs).toEqual([long]);
    calls[1]!.release();
    expect(await Promise.all(ps)).toEqual(['out:x', `out:${long}`, 'out:xy', 'out:abc', 'out:m']);
    await b.close();
  });

  test('a batch is sorted by length and each caller gets its own result under interleaving', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 4, maxWaitUs: 0, maxPaddingRatio: Infinity }));
    const texts = ['long text here', 'x', 'medium', 'xy', 'another long one', 'm', 'abc'];
    const ps = texts.map((t) => b.submit(t));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.inputs).toEqual(['x', 'xy', 'medium', 'long text here']);
    calls[0]!.release();
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.inputs).toEqual(['m', 'abc', 'another long one']);
    calls[1]!.release();
    expect(await Promise.all(ps)).toEqual(texts.map((t) => `out:${t}`));
    await b.close();
  });

  test('maxBatchTokens bounds size × longest: long calls run alone, short ones are grouped; the oldest always goes', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 8, maxWaitUs: 0, maxPaddingRatio: Infinity, maxBatchTokens: 12 }));
    const long = 'x'.repeat(20); // over the bound alone: it still runs, by itself
    const texts = [long, 'aaaa', 'bbbb', 'cccc', 'dddd', 'eeeeee'];
    const ps = texts.map((t) => b.submit(t));
    await new Promise((r) => setImmediate(r));
    expect(calls[0]!.inputs).toEqual([long]);
    calls[0]!.release();
    await flush();
    // 3 × 4 = 12 tokens fit; a fourth would make 16, and 'eeeeee' would make 4 × 6.
    expect(calls[1]!.inputs).toEqual(['aaaa', 'bbbb', 'cccc']);
    calls[1]!.release();
    await flush();
    expect(calls[2]!.inputs).toEqual(['dddd', 'eeeeee']);
    calls[2]!.release();
    expect(await Promise.all(ps)).toEqual(texts.map((t) => `out:${t}`));
    await b.close();
  });

  test('only maxInFlight runs at a time; calls queued meanwhile run right after', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 2, maxWaitUs: 0 }));
    const ps = ['a', 'b', 'c', 'd', 'e'].map((s) => b.submit(s));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    expect(b.stats()).toMatchObject({ inFlight: 1, queued: 3 });
    calls[0]!.release();
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.release();
    await flush();
    expect(calls.map((c) => c.inputs)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    calls[2]!.release();
    expect(await Promise.all(ps)).toHaveLength(5);
    await b.close();
  });

  test('beyond maxQueue a call is refused at once with code overloaded', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 1, maxWaitUs: 0, maxQueue: 2 }));
    const first = b.submit('a'); // runs
    await new Promise((r) => setImmediate(r));
    const queued = [b.submit('b'), b.submit('c')];
    const err = await b.submit('d').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({ code: 'overloaded', name: 'InferenceOverloadedError' });
    calls[0]!.release();
    await flush();
    calls[1]!.release();
    await flush();
    calls[2]!.release();
    expect(await Promise.all([first, ...queued])).toEqual(['out:a', 'out:b', 'out:c']);
    await b.close();
  });

  test('a timed-out call gets code timeout; its batch still completes for the others', async () => {
    jest.useFakeTimers();
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 2, maxWaitUs: 0, timeoutMs: 100 }));
    const slow = b.submit('a');
    const other = b.submit('b');
    await flush();
    expect(calls).toHaveLength(1);
    const late = b.submit('c'); // queued behind the running batch
    jest.advanceTimersByTime(100);
    await expect(slow).rejects.toMatchObject({ code: 'timeout' });
    await expect(other).rejects.toMatchObject({ code: 'timeout' });
    await expect(late).rejects.toMatchObject({ code: 'timeout' });
    expect(b.stats().queued).toBe(0); // the queued one left the queue
    calls[0]!.release(); // late result is dropped safely
    await flush();
    expect(calls).toHaveLength(1);
    jest.useRealTimers();
    const d = b.submit('d'); // the batcher still works
    await until(() => calls.length === 2, 10_000, 'the next batch started');
    calls[1]!.release();
    expect(await d).toBe('out:d');
    await b.close();
  });

  test('a failing runner gives every caller in the batch code model_error', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 2, maxWaitUs: 0 }));
    const ps = [b.submit('a'), b.submit('b')];
    await flush();
    calls[0]!.fail(new Error('boom'));
    for (const p of ps) await expect(p).rejects.toMatchObject({ code: 'model_error', message: 'model m: boom' });
    await b.close();
  });

  test('a runner returning the wrong number of results is a model_error', async () => {
    const b = new MicroBatcher(() => Promise.resolve(['only one']), opts({ maxBatchSize: 2, maxWaitUs: 0 }));
    const ps = [b.submit('a'), b.submit('b')];
    for (const p of ps) await expect(p).rejects.toMatchObject({ code: 'model_error' });
    await b.close();
  });

  test('close rejects queued calls with code closed and waits for the run in flight', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 1, maxWaitUs: 0 }));
    const running = b.submit('a');
    await new Promise((r) => setImmediate(r));
    const queued = b.submit('b');
    let closed = false;
    const closing = b.close().then(() => (closed = true));
    await expect(queued).rejects.toMatchObject({ code: 'closed' });
    await flush();
    expect(closed).toBe(false);
    calls[0]!.release();
    await closing;
    expect(await running).toBe('out:a');
    await expect(b.submit('c')).rejects.toMatchObject({ code: 'closed' });
    expect(calls).toHaveLength(1);
  });
});

describe('MicroBatcher with an AbortSignal', () => {
  test('an aborted call leaves the queue with code timeout; an already aborted one is refused', async () => {
    const { calls, runner } = gatedRunner();
    const b = new MicroBatcher(runner, opts({ maxBatchSize: 1, maxWaitUs: 0 }));
    const first = b.submit('a');
    await new Promise((r) => setImmediate(r));
    const ac = new AbortController();
    const second = b.submit('b', ac.signal);
    ac.abort();
    await expect(second).rejects.toMatchObject({ code: 'timeout', message: 'model m: aborted by the caller' });
    expect(b.stats().queued).toBe(0);
    await expect(b.submit('c', ac.signal)).rejects.toMatchObject({ code: 'timeout' });
    calls[0]!.release();
    expect(await first).toBe('out:a');
    expect(calls).toHaveLength(1);
    await b.close();
  });
});
