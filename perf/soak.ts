// Soak: semroute under a fixed open-loop rate for N minutes, sampling RSS, heap, handles, open
// descriptors and event-loop delay every interval; RSS growth is measured after the warm-up.
import { runOpenLoop } from './load.js';
import type { MixItem } from './mix.js';
import type { ServerUnderTest } from './servers.js';
import { summarize, type LatencySummary } from './stats.js';

export interface SoakSample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number | null;
  handles: number | null;
  fds: number;
  eventLoopP99Ms: number | null;
}

export interface SoakResult {
  minutes: number;
  rate: number;
  warmupSeconds: number;
  samples: SoakSample[];
  /** (RSS at the end − RSS after warm-up) / RSS after warm-up, each the median of 3 samples. */
  rssGrowth: number;
  requests: number;
  errors: number;
  dropped: number;
  latency: LatencySummary;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Growth of the last three samples' median over the median of the first three after warm-up. */
export function rssGrowth(samples: SoakSample[], warmupSeconds: number): number {
  const after = samples.filter((s) => s.atSeconds >= warmupSeconds).map((s) => s.rssMb);
  if (after.length < 2) return NaN;
  const k = Math.min(3, Math.floor(after.length / 2));
  const first = median(after.slice(0, k));
  return (median(after.slice(-k)) - first) / first;
}

export async function runSoak(server: ServerUnderTest, mix: MixItem[], opts: { minutes: number; rate: number; intervalSeconds: number; connections: number }, progress: (l: string) => void): Promise<SoakResult> {
  const samples: SoakSample[] = [];
  const start = performance.now();
  const warmupSeconds = Math.min(120, opts.minutes * 6);
  const take = async () => {
    const p = server.sample();
    const st = await server.stats();
    const s: SoakSample = {
      atSeconds: Math.round((performance.now() - start) / 1000),
      rssMb: p.rssBytes / 2 ** 20,
      heapUsedMb: st ? st.heapUsedBytes / 2 ** 20 : null,
      handles: st?.handles ?? null,
      fds: p.fds,
      eventLoopP99Ms: await server.eventLoopP99Ms(),
    };
    samples.push(s);
    progress(`  t=${s.atSeconds}s rss ${s.rssMb.toFixed(1)} MB heap ${s.heapUsedMb?.toFixed(1) ?? '–'} MB handles ${s.handles ?? '–'} fds ${s.fds} loop p99 ${s.eventLoopP99Ms?.toFixed(1) ?? '–'} ms`);
  };
  await take();
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(take);
  }, opts.intervalSeconds * 1000);
  const load = await runOpenLoop({ target: server.address, mix, seconds: opts.minutes * 60, rate: opts.rate, connections: opts.connections, maxOutstanding: 1000, seed: 3 });
  clearInterval(timer);
  await sampling;
  await take();
  return {
    minutes: opts.minutes,
    rate: opts.rate,
    warmupSeconds,
    samples,
    rssGrowth: rssGrowth(samples, warmupSeconds),
    requests: load.requests,
    errors: load.errors,
    dropped: load.dropped,
    latency: summarize(load.latencies),
  };
}
