// Throughput against the number of cluster workers (src/cli/workers.ts), closed loop at one
// concurrency over enough connections that round-robin gives every worker some.
import { runClosedLoop } from './load.js';
import type { MixItem } from './mix.js';
import { startSemroute, type ServerUnderTest } from './servers.js';
import { mean, summarize, type LatencySummary } from './stats.js';

export interface ScalingRow {
  workers: number;
  rps: number;
  latency: LatencySummary;
  errors: number;
  /** CPU seconds the server tree used per wall second (how many cores it kept busy). */
  coresBusy: number;
  /** Requests per CPU-second of the server: the sizing figure. */
  rpsPerCore: number;
}

export interface ScalingSettings {
  workers: number[];
  concurrency: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
}

export async function measureScaling(configFile: string, mix: MixItem[], s: ScalingSettings, progress: (l: string) => void): Promise<ScalingRow[]> {
  const servers: ServerUnderTest[] = [];
  try {
    for (const w of s.workers) servers.push(await startSemroute(configFile, w));
    const base = { mix, concurrency: s.concurrency, connections: s.connections };
    for (const srv of servers) await runClosedLoop({ ...base, target: srv.address, seconds: s.warmupSeconds });
    const acc = servers.map(() => ({ rps: [] as number[], lat: [] as number[], errors: 0, cpu: 0, wall: 0, requests: 0 }));
    for (let r = 0; r < s.rounds; r++) {
      for (const [i, srv] of servers.entries()) {
        const before = srv.sample().cpuSeconds;
        const res = await runClosedLoop({ ...base, target: srv.address, seconds: s.seconds });
        const a = acc[i]!;
        a.cpu += srv.sample().cpuSeconds - before;
        a.wall += res.seconds;
        a.requests += res.requests;
        a.rps.push(res.requests / res.seconds);
        a.lat.push(...res.latencies);
        a.errors += res.errors;
      }
    }
    return s.workers.map((workers, i) => {
      const a = acc[i]!;
      const row: ScalingRow = { workers, rps: mean(a.rps), latency: summarize(a.lat), errors: a.errors, coresBusy: a.cpu / a.wall, rpsPerCore: a.requests / a.cpu };
      progress(`  workers ${workers}: ${row.rps.toFixed(0)} rps, p50 ${row.latency.p50.toFixed(2)} ms, ${row.coresBusy.toFixed(2)} cores busy, ${row.rpsPerCore.toFixed(0)} req per CPU-second`);
      return row;
    });
  } finally {
    await Promise.all(servers.map((srv) => srv.close()));
  }
}

export function scalingTable(rows: ScalingRow[], s: ScalingSettings): string {
  const lines = [
    `Closed loop, concurrency ${s.concurrency} over ${s.connections} connections, ${s.rounds} × ${s.seconds} s per worker count.`,
    '',
    '| workers | rps | p50 / p99 ms | server cores busy | requests per CPU-second | errors |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) lines.push(`| ${r.workers} | ${r.rps.toFixed(0)} | ${r.latency.p50.toFixed(2)} / ${r.latency.p99.toFixed(2)} | ${r.coresBusy.toFixed(2)} | ${r.rpsPerCore.toFixed(0)} | ${r.errors} |`);
  return lines.join('\n');
}
