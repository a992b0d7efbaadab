// make bench-fleet: round robin vs today's least-in-flight picker vs the endpoint picker, on the
// same simulated fleet and the same replayed workload, at several fractions of the fleet's
// capacity; then the endpoint picker's pick cost at 1,000 req/s. Writes perf/results/fleet.json
// and prints the markdown table for perf/README.md. `--quick`: shorter runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { DEFAULT_ENGINE, type EngineModel } from '../../src/dev/vllm-engine.js';
import { pickCost } from './pick-cost.js';
import { PICKERS } from './pickers.js';
import { scrapeCost } from './scrape-cost.js';
import { simulate, type SimResult } from './sim.js';
import { promptOf, Workload } from './workload.js';

const quick = process.argv.includes('--quick');
const ENGINES = 8;
// Scaled down: ~1,500-token prompts prefill in ~30 ms, 56 output tokens decode in ~11 ms.
const ENGINE: EngineModel = { ...DEFAULT_ENGINE, slots: 8, kvBlocks: 1024, blockTokens: 16, charsPerToken: 4, prefillMsPerToken: 0.02, decodeMsPerToken: 0.2 };
const FRACTIONS = [0.5, 0.8, 1.0];

/** Capacity: the fleet's prefill throughput with no prefix reuse (every prompt token prefilled). */
function capacity(): { rps: number; meanPromptTokens: number } {
  const w = new Workload(1);
  let tokens = 0;
  const n = 5000;
  for (let i = 0; i < n; i++) tokens += Math.ceil(promptOf(w.next()).length / ENGINE.charsPerToken);
  const mean = tokens / n;
  return { rps: (ENGINES * 1000) / (mean * ENGINE.prefillMsPerToken), meanPromptTokens: mean };
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);

async function main(): Promise<void> {
  const cap = capacity();
  console.log(`fleet: ${ENGINES} engines ${JSON.stringify(ENGINE)}; mean prompt ${cap.meanPromptTokens.toFixed(0)} tokens; capacity ${cap.rps.toFixed(1)} req/s (no prefix reuse)`);
  const results: (SimResult & { fraction: number })[] = [];
  for (const fraction of FRACTIONS) {
    for (const picker of PICKERS) {
      const r = await simulate({ picker, engines: ENGINES, engine: ENGINE, rate: cap.rps * fraction, durationMs: quick ? 10_000 : 60_000, warmupMs: quick ? 3000 : 10_000, scrapeMs: 50, seed: 42 });
      results.push({ ...r, fraction });
      console.log(`${(fraction * 100).toFixed(0)}% ${picker.padEnd(16)} ttft p50 ${ms(r.ttft.p50)} p90 ${ms(r.ttft.p90)} p99 ${ms(r.ttft.p99)}  e2e p50 ${ms(r.e2e.p50)} p90 ${ms(r.e2e.p90)}  ${r.throughput.toFixed(1)} req/s ${r.tokensPerSecond.toFixed(0)} tok/s  kv hit ${(r.kvHitRate * 100).toFixed(1)}%  pick p99 ${r.pickUs.p99.toFixed(1)} µs`);
    }
  }
  const cost = await pickCost(1000, quick ? 3 : 10, 16);
  console.log(`pick cost at ${cost.achievedRate.toFixed(0)} req/s over 16 endpoints: p50 ${cost.us.p50.toFixed(1)} µs p99 ${cost.us.p99.toFixed(1)} µs max ${cost.us.max.toFixed(0)} µs (${cost.picks} picks)`);

  const scrape = scrapeCost(quick ? 500 : 3000);
  console.log(`scrape parse: ${scrape.usPerParse.toFixed(0)} µs per ${(scrape.pageBytes / 1024).toFixed(0)} KiB page = ${((scrape.usPerParse * 20) / 1000).toFixed(1)} ms of CPU per endpoint per second at a 50 ms interval`);

  const lines = ['| load | picker | TTFT p50 | TTFT p90 | TTFT p99 | e2e p50 | e2e p90 | req/s | output tok/s | KV hit | pick p99 |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of results) {
    lines.push(`| ${(r.fraction * 100).toFixed(0)}% (${r.rate.toFixed(0)} req/s) | ${r.picker} | ${ms(r.ttft.p50)} | ${ms(r.ttft.p90)} | ${ms(r.ttft.p99)} | ${ms(r.e2e.p50)} | ${ms(r.e2e.p90)} | ${r.throughput.toFixed(1)} | ${r.tokensPerSecond.toFixed(0)} | ${(r.kvHitRate * 100).toFixed(1)}% | ${r.pickUs.p99.toFixed(1)} µs |`);
  }
  for (const f of FRACTIONS) {
    const rr = results.find((r) => r.fraction === f && r.picker === 'round_robin')!;
    const ep = results.find((r) => r.fraction === f && r.picker === 'endpoint_picker')!;
    const li = results.find((r) => r.fraction === f && r.picker === 'least_inflight')!;
    lines.push('', `At ${(f * 100).toFixed(0)}%: TTFT p90 round robin / endpoint picker = ${(rr.ttft.p90 / ep.ttft.p90).toFixed(1)}×, least in flight / endpoint picker = ${(li.ttft.p90 / ep.ttft.p90).toFixed(1)}×.`);
  }
  console.log(`\n${lines.join('\n')}`);
  if (!quick) {
    mkdirSync('perf/results', { recursive: true });
    writeFileSync('perf/results/fleet.json', `${JSON.stringify({ engines: ENGINES, engine: ENGINE, capacity: cap, results, pickCost: cost, scrapeCost: scrape }, null, 2)}\n`);
  }
}

await main();
