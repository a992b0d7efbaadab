// What tracing and the per-request log line cost: the keyword scenario (perf/configs/keyword.yaml,
// the suite's mix, the suite's load generator) against semroute with tracing off, at 1% and at
// 100% sampling (OTLP/HTTP protobuf to a collector stand-in in this process that answers 200),
// and with the per-request log line written (level info to /dev/null), all in the same run with
// rounds alternating, as ratios to tracing off.
//   node dist/perf/tracing-bench.js [--seconds 3] [--rounds 3] [--concurrency 16] [--warmup 1]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify } from 'yaml';
import { runClosedLoop } from './load.js';
import { buildMix } from './mix.js';
import { describeMachine, machineLine } from './report.js';
import { repoRoot, startSemroute, type ServerUnderTest } from './servers.js';
import { summarize } from './stats.js';

const log = (l: string) => process.stdout.write(`${l}\n`);

interface Variant {
  name: string;
  tracing?: { sample_ratio: number };
  launcherArgs?: string[];
}

const VARIANTS: Variant[] = [
  { name: 'tracing off' },
  { name: 'tracing 1%', tracing: { sample_ratio: 0.01 } },
  { name: 'tracing 100%', tracing: { sample_ratio: 1 } },
  { name: 'off + request log line', launcherArgs: ['--log-level', 'info', '--log-file', '/dev/null'] },
];

/** A collector stand-in: takes every OTLP export and answers 200; counts bytes and exports. */
async function startCollector(): Promise<{ url: string; exports: () => number; bytes: () => number; close(): Promise<void> }> {
  let exports = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    bytes: () => bytes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function configFor(v: Variant, collector: string, dir: string): string {
  const doc = parseYaml(readFileSync(path.join(repoRoot, 'perf/configs/keyword.yaml'), 'utf8')) as Record<string, unknown>;
  if (v.tracing) doc.telemetry = { tracing: { otlp_endpoint: collector, sample_ratio: v.tracing.sample_ratio } };
  const file = path.join(dir, `${v.name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

interface Figures {
  rps: number[];
  latencies: number[];
  cpuSeconds: number;
  requests: number;
  errors: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const mix = buildMix({ seed: 42, size: 400 });
  log(`machine: ${machineLine(describeMachine())}`);
  const collector = await startCollector();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-tracing-bench-'));
  const servers: ServerUnderTest[] = [];
  try {
    for (const v of VARIANTS) servers.push(await startSemroute(configFor(v, collector.url, dir), 1, v.launcherArgs ?? []));
    const figures: Figures[] = VARIANTS.map(() => ({ rps: [], latencies: [], cpuSeconds: 0, requests: 0, errors: 0 }));
    for (const s of servers) await runClosedLoop({ target: s.address, mix, seconds: Number(values.warmup), concurrency });
    for (let r = 0; r < rounds; r++) {
      // Rounds alternate the variants, so machine noise lands on all of them.
      for (const [i, s] of servers.entries()) {
        const before = s.sample();
        const load = await runClosedLoop({ target: s.address, mix, seconds, concurrency });
        const after = s.sample();
        const f = figures[i]!;
        f.rps.push(load.requests / load.seconds);
        f.latencies.push(...load.latencies);
        f.cpuSeconds += after.cpuSeconds - before.cpuSeconds;
        f.requests += load.requests;
        f.errors += load.errors;
      }
    }
    const base = figures[0]!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const baseRps = mean(base.rps);
    const baseLat = summarize(base.latencies);
    const baseCpu = (base.cpuSeconds * 1e6) / base.requests;
    const rows = VARIANTS.map((v, i) => {
      const f = figures[i]!;
      const lat = summarize(f.latencies);
      const cpuUs = (f.cpuSeconds * 1e6) / f.requests;
      return {
        variant: v.name,
        rps: mean(f.rps),
        p50Ms: lat.p50,
        p99Ms: lat.p99,
        cpuUsPerRequest: cpuUs,
        throughputRatio: mean(f.rps) / baseRps,
        p50Ratio: lat.p50 / baseLat.p50,
        p99Ratio: lat.p99 / baseLat.p99,
        cpuRatio: cpuUs / baseCpu,
        errors: f.errors,
      };
    });
    log(`\nkeyword scenario, closed loop c=${concurrency}, ${rounds} rounds x ${seconds} s alternating; collector got ${collector.exports()} exports, ${(collector.bytes() / 1024).toFixed(0)} KiB\n`);
    log('| variant | req/s | p50 ms | p99 ms | router CPU µs/req | throughput vs off | p50 vs off | p99 vs off | CPU vs off | errors |');
    log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      log(`| ${r.variant} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.cpuUsPerRequest.toFixed(0)} | ${r.throughputRatio.toFixed(2)} | ${r.p50Ratio.toFixed(2)} | ${r.p99Ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} | ${r.errors} |`);
    }
    if (values.out) writeFileSync(values.out, JSON.stringify({ at: new Date().toISOString(), concurrency, seconds, rounds, rows }, null, 2));
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await collector.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`tracing-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
