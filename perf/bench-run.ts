// Measures one scenario: at each load level, warm both servers up, then alternate floor and
// semroute runs so machine noise lands on both; per run, the server's CPU time, RSS and
// event-loop delay around the load.
import { runClosedLoop, runOpenLoop, type LoadResult } from './load.js';
import type { MixItem } from './mix.js';
import type { ServerUnderTest } from './servers.js';
import { addedLatency, mean, summarize, type LatencySummary, type Quantile } from './stats.js';

export type LoadMode = 'closed' | 'open';

export interface LevelPlan {
  mode: LoadMode;
  /** Concurrency (closed) or offered requests/s (open). */
  level: number;
}

export interface RunSettings {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  maxOutstanding: number;
}

export interface ServerFigures {
  rps: number;
  latency: LatencySummary;
  errors: number;
  dropped: number;
  /** Server CPU time (user + system) per completed request, ms. */
  cpuMsPerRequest: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Worst event-loop delay p99 over the runs, ms. */
  eventLoopP99Ms: number | null;
  firstError?: string;
}

export interface LevelResult extends LevelPlan {
  floor: ServerFigures;
  semroute: ServerFigures;
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  /** semroute minus floor at the same load, ms. */
  added: Record<Quantile, number>;
}

interface OneRun {
  load: LoadResult;
  cpuSeconds: number;
  rssBefore: number;
  rssAfter: number;
  eventLoopP99Ms: number | null;
}

function drive(server: ServerUnderTest, plan: LevelPlan, mix: MixItem[], seconds: number, s: RunSettings, seed: number): Promise<LoadResult> {
  const base = { target: server.address, mix, seconds, connections: s.connections };
  return plan.mode === 'closed'
    ? runClosedLoop({ ...base, concurrency: plan.level })
    : runOpenLoop({ ...base, rate: plan.level, maxOutstanding: s.maxOutstanding, seed });
}

async function measured(server: ServerUnderTest, plan: LevelPlan, mix: MixItem[], s: RunSettings, seed: number): Promise<OneRun> {
  await server.eventLoopP99Ms(); // starts a fresh delay window
  const before = server.sample();
  const load = await drive(server, plan, mix, s.seconds, s, seed);
  const after = server.sample();
  return { load, cpuSeconds: after.cpuSeconds - before.cpuSeconds, rssBefore: before.rssBytes, rssAfter: after.rssBytes, eventLoopP99Ms: await server.eventLoopP99Ms() };
}

function figures(runs: OneRun[]): ServerFigures {
  const requests = runs.reduce((a, r) => a + r.load.requests, 0);
  const delays = runs.map((r) => r.eventLoopP99Ms).filter((v): v is number => v !== null);
  const f: ServerFigures = {
    rps: mean(runs.map((r) => r.load.requests / r.load.seconds)),
    latency: summarize(runs.flatMap((r) => r.load.latencies)),
    errors: runs.reduce((a, r) => a + r.load.errors, 0),
    dropped: runs.reduce((a, r) => a + r.load.dropped, 0),
    cpuMsPerRequest: requests ? (runs.reduce((a, r) => a + r.cpuSeconds, 0) * 1000) / requests : NaN,
    rssBeforeMb: runs[0]!.rssBefore / 2 ** 20,
    rssAfterMb: runs[runs.length - 1]!.rssAfter / 2 ** 20,
    eventLoopP99Ms: delays.length ? Math.max(...delays) : null,
  };
  const err = runs.find((r) => r.load.firstError)?.load.firstError;
  if (err) f.firstError = err;
  return f;
}

export async function measureScenario(
  floor: ServerUnderTest,
  semroute: ServerUnderTest,
  plans: LevelPlan[],
  mix: MixItem[],
  s: RunSettings,
  progress: (line: string) => void,
): Promise<LevelResult[]> {
  const out: LevelResult[] = [];
  for (const plan of plans) {
    for (const server of [floor, semroute]) await drive(server, plan, mix, s.warmupSeconds, s, 1);
    const runs: Record<'floor' | 'semroute', OneRun[]> = { floor: [], semroute: [] };
    for (let r = 0; r < s.rounds; r++) {
      runs.floor.push(await measured(floor, plan, mix, s, 100 + r));
      runs.semroute.push(await measured(semroute, plan, mix, s, 100 + r));
    }
    const f = figures(runs.floor);
    const m = figures(runs.semroute);
    const res: LevelResult = {
      ...plan,
      floor: f,
      semroute: m,
      throughputRatio: m.rps / f.rps,
      p50Ratio: m.latency.p50 / f.latency.p50,
      p99Ratio: m.latency.p99 / f.latency.p99,
      added: addedLatency(m.latency, f.latency),
    };
    out.push(res);
    progress(`  ${plan.mode} ${plan.level}: floor ${f.rps.toFixed(0)} rps p50 ${f.latency.p50.toFixed(2)} ms | semroute ${m.rps.toFixed(0)} rps p50 ${m.latency.p50.toFixed(2)} ms | ratio ${res.throughputRatio.toFixed(2)} | errors ${f.errors + m.errors}`);
  }
  return out;
}
