import { describe, expect, it } from '@jest/globals';
import { BudgetAbort } from '../../../src/inference/abort-like.js';
import { MicroBatcher } from '../../../src/inference/batcher.js';

describe('BudgetAbort', () => {
  it('fires each listener once, in order, and forgets removed ones', () => {
    const a = new BudgetAbort();
    const fired: string[] = [];
    const gone = () => fired.push('gone');
    a.addEventListener('abort', () => fired.push('first'));
    a.addEventListener('abort', gone);
    a.addEventListener('abort', () => fired.push('last'));
    a.removeEventListener('abort', gone);
    a.abort();
    a.abort();
    expect(a.aborted).toBe(true);
    expect(fired).toEqual(['first', 'last']);
    a.addEventListener('abort', () => fired.push('late'));
    expect(fired).toEqual(['first', 'last']);
  });

  it('takes a queued call out of a batcher, as an AbortSignal does', async () => {
    const runs: number[][] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const b = new MicroBatcher<number, number>(async (xs) => (runs.push(xs), await gate, xs), {
      name: 'abort-like-test',
      maxBatchSize: 1,
      maxQueue: 10,
      maxWaitUs: 0,
      timeoutMs: 0,
      lengthOf: () => 1,
    });
    const first = b.submit(1);
    const abort = new BudgetAbort();
    const second = b.submit(2, abort);
    abort.abort();
    await expect(second).rejects.toMatchObject({ code: 'timeout' });
    open();
    await expect(first).resolves.toBe(1);
    await b.close();
    expect(runs).toEqual([[1]]);
  });
});
