// How long a keyword-only evaluation takes as a request's stream sees it: a turn of the event loop
// plus the signal, from "wanted" to "evaluated"; the median of `n` in a row (each must match).
import { expect } from '@jest/globals';
import type { RoutingRequest } from '../../src/protocol/ir.js';
import { runSignal } from '../../src/signals/run.js';
import type { Signal } from '../../src/signals/types.js';
import { median, turn } from './routing-request.js';

export async function keywordLatencyMedian(keyword: Signal, req: RoutingRequest, n = 40): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await turn();
    expect((await runSignal(keyword, req)).matched).toBe(true);
    xs.push(performance.now() - t0);
  }
  return median(xs);
}
