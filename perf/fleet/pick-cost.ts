// The endpoint picker's cost per request on the request path, in real time: the workload's
// prompts at `rate` picks per second for `seconds` against `endpoints` endpoints whose metrics
// change every 50 ms, through pickEndpoints (prompt text, block hashing, filters, scorers, the
// picker, the prefix index update), as a request would.
import { performance } from 'node:perf_hooks';
import type { EndpointMetrics } from '../../src/endpoints/types.js';
import { summarize, type LatencySummary } from '../stats.js';
import { makePicker } from './pickers.js';
import { rng, Workload } from './workload.js';

export async function pickCost(rate: number, seconds: number, endpoints: number): Promise<{ picks: number; us: LatencySummary; achievedRate: number }> {
  const addresses = Array.from({ length: endpoints }, (_, i) => `10.0.1.${i + 1}:8000`);
  const r = rng(99);
  const metrics = new Map<string, EndpointMetrics>();
  const refresh = () => {
    for (const a of addresses) metrics.set(a, { waiting: Math.floor(r() * 6), running: Math.floor(r() * 8), kvUsage: r() * 0.9, runningAdapters: [], waitingAdapters: [] });
  };
  refresh();
  const timer = setInterval(refresh, 50);
  const picker = makePicker('endpoint_picker', addresses, (ep) => metrics.get(ep), rng(5));
  const work = new Workload(3);
  const us: number[] = [];
  const start = performance.now();
  const total = rate * seconds;
  // Paced: each timer turn makes the picks owed by the elapsed time, so the rate holds.
  while (us.length < total) {
    const owed = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (us.length < owed) {
      const req = work.next();
      const t0 = performance.now();
      const ep = picker.pick(req.messages);
      us.push((performance.now() - t0) * 1000);
      picker.begin(ep)(); // in-flight counted and released (no engine here)
    }
    await new Promise((res) => setTimeout(res, 1));
  }
  const elapsed = (performance.now() - start) / 1000;
  clearInterval(timer);
  await picker.close();
  return { picks: us.length, us: summarize(us), achievedRate: us.length / elapsed };
}
