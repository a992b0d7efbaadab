// The soak result as a README section.
import type { SoakResult } from './soak.js';

export function soakSection(r: SoakResult, machine: string, uptimeAtEnd: string, started: Date): string {
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  const at = (s: number) => r.samples.find((x) => x.atSeconds >= s) ?? last;
  const warm = at(r.warmupSeconds);
  const loops = r.samples.map((s) => s.eventLoopP99Ms).filter((v): v is number => v !== null);
  const row = (label: string, s: typeof first) =>
    s ? `| ${label} (t=${s.atSeconds} s) | ${s.rssMb.toFixed(1)} | ${s.heapUsedMb?.toFixed(1) ?? '–'} | ${s.handles ?? '–'} | ${s.fds} |` : '';
  return [
    `Soak ${started.toISOString().slice(0, 16)}Z: keyword scenario, ${r.rate} requests/s open loop (Poisson) for ${r.minutes} min, samples every 10 s; warm-up ${r.warmupSeconds} s. ${machine}. At the end: \`${uptimeAtEnd}\`.`,
    '',
    '| sample | RSS MB | heap used MB | handles | open fds |',
    '|---|---|---|---|---|',
    row('start', first),
    row('after warm-up', warm),
    row('end', last),
    '',
    `- RSS growth after warm-up: **${(r.rssGrowth * 100).toFixed(1)}%** (target < 5%: ${r.rssGrowth < 0.05 ? 'met' : '**not met**'})`,
    `- requests ${r.requests}, errors ${r.errors}, dropped ${r.dropped}; latency p50 ${r.latency.p50.toFixed(2)} / p99 ${r.latency.p99.toFixed(2)} / p99.9 ${r.latency.p999.toFixed(2)} ms`,
    `- event-loop delay p99 per 10 s window: median ${loops.length ? [...loops].sort((a, b) => a - b)[Math.floor(loops.length / 2)]!.toFixed(1) : '–'} ms, worst ${loops.length ? Math.max(...loops).toFixed(1) : '–'} ms`,
  ].join('\n');
}
