// semroute's own work per request, without gRPC: the suite's mix and ext_proc messages
// (exchange.ts) pushed through ExtProcStream in this process, with real metrics and the config's
// models, one request after another (µs per request) and 16 at a time (what the micro-batcher
// groups). The gRPC and HTTP/2 cost, the same for the floor, is in the suite; this is what is
// left to semroute. Each config is measured against a same-run baseline: JSON.parse of each body,
// the least any router that reads the body must do.
//   node dist/perf/pipeline-bench.js [--configs keyword,keyword-no-usage,classify] [--seconds 3]
import { parseArgs } from 'node:util';
import { ExtProcStream } from '../src/extproc/stream.js';
import type { ProcessingRequest, ProcessingResponse } from '../src/extproc/wire.js';
import { loadConfigFile } from '../src/config/load.js';
import { WorkerPool } from '../src/inference/index.js';
import { buildSnapshot } from '../src/pipeline/snapshot.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { createLogger } from '../src/telemetry/logger.js';
import { kindOf, messages } from './exchange.js';
import { buildMix, type MixItem } from './mix.js';
import { SCENARIOS } from './scenarios.js';

/** What proto-loader's oneofs option adds on receipt: the name of the field that is set. */
function received(m: ProcessingRequest): ProcessingRequest {
  m.request = kindOf(m)!;
  return m;
}

/** The messages one request gets, as exchange.ts sends them (response body unless switched off). */
async function runRequest(deps: ConstructorParameters<typeof ExtProcStream>[0], item: MixItem): Promise<void> {
  const { first, responseBody } = messages(item);
  const written: ProcessingResponse[] = [];
  const stream = new ExtProcStream(deps, { write: (r) => written.push(r), end: () => undefined });
  let bodyMode = 'BUFFERED';
  for (const m of first) {
    stream.push(received(m));
    await stream.idle();
    const last = written[written.length - 1];
    if (!last || last.immediate_response) return stream.end();
    const o = last.mode_override?.response_body_mode;
    if (o) bodyMode = o;
  }
  if (bodyMode !== 'NONE') {
    stream.push(received(responseBody));
    await stream.idle();
  }
  await stream.end();
}

/** CPU µs per request, and how many requests ran in all (warm-up included). */
async function measure(seconds: number, concurrency: number, mix: MixItem[], one: (item: MixItem) => Promise<void>): Promise<{ us: number; requests: number }> {
  let next = 0;
  const runFor = async (ms: number): Promise<number> => {
    const until = performance.now() + ms;
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          await one(mix[next++ % mix.length]!);
          done++;
        }
      }),
    );
    return done;
  };
  const warm = await runFor(300);
  const cpu0 = process.cpuUsage();
  const n = await runFor(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  return { us: (cpu.user + cpu.system) / n, requests: warm + n };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { configs: { type: 'string', default: 'keyword,keyword-no-usage,classify' }, seconds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const mix = buildMix({ seed: 42, size: 400 });
  const logger = createLogger({ level: 'error' });
  const lines = ['| config | concurrency | semroute CPU µs/request | baseline (JSON.parse of the body) µs | ratio | messages to inference workers per request |', '|---|---|---|---|---|---|'];
  const workerMessages = () => WorkerPool.live().reduce((n, p) => n + p.stats().messages, 0);
  const rows = [];
  for (const name of values.configs.split(',')) {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`unknown scenario ${name}`);
    const config = loadConfigFile(scenario.config());
    const metrics = createMetrics({ processMetrics: false });
    const snapshot = await buildSnapshot(config, name);
    const deps = { snapshot, metrics, logger };
    for (const concurrency of [1, 16]) {
      const base = (await measure(seconds, 1, mix, (item) => Promise.resolve(void JSON.parse(item.body.toString('utf8'))))).us;
      const before = workerMessages();
      const { us, requests } = await measure(seconds, concurrency, mix, (item) => runRequest(deps, item));
      const messages = (workerMessages() - before) / requests;
      rows.push({ config: name, concurrency, us, baseUs: base, workerMessagesPerRequest: messages });
      lines.push(`| ${name} | ${concurrency} | ${us.toFixed(1)} | ${base.toFixed(2)} | ${(us / base).toFixed(0)} | ${messages.toFixed(2)} |`);
    }
    snapshot.release();
    await metrics.shutdown();
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ node: process.version, seconds, rows })}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`pipeline-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
