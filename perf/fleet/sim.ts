// One simulated run: a fleet of vLLM-like engines (src/dev/vllm-engine.ts) on a virtual clock,
// Poisson arrivals of the workload at a rate, one picker. The picker sees the engines' metrics as
// scraped every `scrapeMs` (so it lags as the real one does) and its own in-flight counts.
// TTFT, e2e and throughput are in virtual time (deterministic); the pick cost is measured in real
// time around each pick.
import { performance } from 'node:perf_hooks';
import { VllmEngine, type EngineModel } from '../../src/dev/vllm-engine.js';
import type { EndpointMetrics } from '../../src/endpoints/types.js';
import { summarize, type LatencySummary } from '../stats.js';
import { VirtualClock } from './clock.js';
import { makePicker, type PickerName } from './pickers.js';
import { promptOf, rng, Workload } from './workload.js';

export interface SimOptions {
  picker: PickerName;
  engines: number;
  engine: EngineModel;
  rate: number;
  durationMs: number;
  warmupMs: number;
  scrapeMs: number;
  seed: number;
}

export interface SimResult {
  picker: PickerName;
  rate: number;
  completed: number;
  ttft: LatencySummary;
  e2e: LatencySummary;
  /** Completed requests and output tokens per virtual second (measured window). */
  throughput: number;
  tokensPerSecond: number;
  kvHitRate: number;
  pickUs: LatencySummary;
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const clock = new VirtualClock();
  const addresses = Array.from({ length: o.engines }, (_, i) => `10.0.0.${i + 1}:8000`);
  const engines = new Map(addresses.map((a) => [a, new VllmEngine(o.engine, clock.timer())]));
  const scraped = new Map<string, EndpointMetrics>();
  const scrape = () => {
    for (const [a, e] of engines) scraped.set(a, { ...e.metrics(), runningAdapters: [], waitingAdapters: [], blockSize: o.engine.blockTokens });
    clock.after(o.scrapeMs, scrape);
  };
  scrape();
  const picker = makePicker(o.picker, addresses, (ep) => scraped.get(ep), rng(o.seed + 7));
  const work = new Workload(o.seed);
  const arrivals = rng(o.seed + 1);
  const ttft: number[] = [];
  const e2e: number[] = [];
  const pickUs: number[] = [];
  let tokens = 0;
  const end = o.warmupMs + o.durationMs;
  let hits0 = 0;
  let queries0 = 0;
  clock.at(o.warmupMs, () => {
    for (const e of engines.values()) {
      hits0 += e.hits;
      queries0 += e.queries;
    }
  });
  const arrive = () => {
    if (clock.now >= end) return;
    const req = work.next();
    const t0 = clock.now;
    const p0 = performance.now();
    const ep = picker.pick(req.messages);
    pickUs.push((performance.now() - p0) * 1000);
    const leave = picker.begin(ep);
    const measured = t0 >= o.warmupMs;
    engines.get(ep)!.submit(promptOf(req), req.outputTokens, {
      onFirstToken: () => {
        if (measured) ttft.push(clock.now - t0);
      },
      onDone: () => {
        leave();
        if (measured && clock.now <= end + 60_000) {
          e2e.push(clock.now - t0);
          tokens += req.outputTokens;
        }
      },
    });
    clock.after(-Math.log(1 - arrivals()) * (1000 / o.rate), arrive);
  };
  arrive();
  // Arrivals stop at `end`; the requests in flight are drained (up to a minute of virtual time).
  clock.run(end + 60_000);
  let hits = -hits0;
  let queries = -queries0;
  for (const e of engines.values()) {
    hits += e.hits;
    queries += e.queries;
  }
  await picker.close();
  return {
    picker: o.picker,
    rate: o.rate,
    completed: e2e.length,
    ttft: summarize(ttft),
    e2e: summarize(e2e),
    throughput: e2e.length / (o.durationMs / 1000),
    tokensPerSecond: tokens / (o.durationMs / 1000),
    kvHitRate: queries > 0 ? hits / queries : 0,
    pickUs: summarize(pickUs),
  };
}
