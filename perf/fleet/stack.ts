// The fleet benchmark through the real path, in real time: fake vLLMs (src/dev/fake-vllm.ts, the
// same engine model on real timers, scraped over HTTP) behind semroute over gRPC and the local
// gateway, streamed chat requests from the workload at a fixed rate; TTFT is the first SSE chunk
// at the client. Each picker gets a fresh fleet (cold caches). Noisier than the virtual-time
// simulator (the machine's other load is in it), so it reports the same-run ratio.
//   node dist/perf/fleet/stack.js [--engines 4] [--fraction 0.8] [--seconds 20]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startDev } from '../../src/cli/dev.js';
import { parseConfig } from '../../src/config/load.js';
import { startFakeVllm } from '../../src/dev/fake-vllm.js';
import { DEFAULT_ENGINE, type EngineModel } from '../../src/dev/vllm-engine.js';
import { summarize } from '../stats.js';
import { promptOf, rng, Workload } from './workload.js';

const { values } = parseArgs({ options: { engines: { type: 'string', default: '4' }, fraction: { type: 'string', default: '0.8' }, seconds: { type: 'string', default: '20' } } });
const ENGINES = Number(values.engines);
const ENGINE: EngineModel = { ...DEFAULT_ENGINE, slots: 8, kvBlocks: 1024, prefillMsPerToken: 0.02, decodeMsPerToken: 0.2 };

type Variant = { name: string; picker?: Record<string, unknown> };
const VARIANTS: Variant[] = [
  { name: 'round_robin', picker: { picker: 'round_robin', filters: [] } },
  { name: 'least_inflight' },
  { name: 'endpoint_picker', picker: {} },
];

function meanPromptTokens(): number {
  const w = new Workload(1);
  let t = 0;
  for (let i = 0; i < 2000; i++) t += Math.ceil(promptOf(w.next()).length / 4);
  return t / 2000;
}

async function runOne(v: Variant, rate: number, seconds: number) {
  const fleet = await Promise.all(Array.from({ length: ENGINES }, (_, i) => startFakeVllm({ name: `e${i}`, engine: ENGINE })));
  const doc = {
    version: 'v1',
    routing: { mode: 'endpoint', ...(v.picker ? { endpoint_picker: v.picker } : {}) },
    models: [{ name: 'llama', endpoints: fleet.map((f) => f.address) }],
    telemetry: { token_usage: false },
  };
  const dev = await startDev({ config: parseConfig(doc), listen: { host: '127.0.0.1', port: 0 }, fakeUpstreams: false, grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0' });
  const work = new Workload(42);
  const arrivals = rng(43);
  const ttft: number[] = [];
  const e2e: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const warm = 3000;
  let next = start;
  while (performance.now() - start < warm + seconds * 1000) {
    const req = work.next();
    const t0 = performance.now();
    const measured = t0 - start >= warm;
    inflight.push(
      (async () => {
        try {
          const res = await fetch(`${dev.gateway.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'llama', stream: true, max_tokens: req.outputTokens, messages: req.messages.map((m) => ({ role: m.role, content: m.text })) }),
          });
          const reader = res.body!.getReader();
          let first = true;
          for (;;) {
            const { done } = await reader.read();
            if (first && measured) ttft.push(performance.now() - t0);
            first = false;
            if (done) break;
          }
          if (res.status !== 200) failed++;
          else if (measured) e2e.push(performance.now() - t0);
        } catch {
          failed++;
        }
      })(),
    );
    next += -Math.log(1 - arrivals()) * (1000 / rate);
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
  let hits = 0;
  let queries = 0;
  for (const f of fleet) {
    hits += f.engine.hits;
    queries += f.engine.queries;
  }
  await dev.close();
  await Promise.all(fleet.map((f) => f.close()));
  return { name: v.name, ttft: summarize(ttft), e2e: summarize(e2e), failed, kvHit: hits / queries };
}

const capacity = (ENGINES * 1000) / (meanPromptTokens() * ENGINE.prefillMsPerToken);
const rate = capacity * Number(values.fraction);
console.log(`stack: ${ENGINES} fake vLLMs, capacity ${capacity.toFixed(0)} req/s, offered ${rate.toFixed(0)} req/s for ${values.seconds} s each`);
const out = [];
for (const v of VARIANTS) {
  const r = await runOne(v, rate, Number(values.seconds));
  out.push(r);
  console.log(`${r.name.padEnd(16)} ttft p50 ${r.ttft.p50.toFixed(0)} p90 ${r.ttft.p90.toFixed(0)} p99 ${r.ttft.p99.toFixed(0)} ms  e2e p50 ${r.e2e.p50.toFixed(0)} p90 ${r.e2e.p90.toFixed(0)} ms  kv hit ${(r.kvHit * 100).toFixed(1)}%  failed ${r.failed}  n=${r.ttft.count}`);
}
const rr = out[0]!;
const ep = out[2]!;
console.log(`TTFT p90 round robin / endpoint picker = ${(rr.ttft.p90 / ep.ttft.p90).toFixed(1)}×`);
