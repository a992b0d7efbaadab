// Chaos load through the local gateway (Envoy's ext_proc behaviour, streams ended with a half-close
// then a reset): `semroute dev` in a child process with the demo config's signals and models, the
// semantic cache and session affinity on a real redis-server, driven open-loop at a fixed rate,
// while Redis is paused, killed and restarted and the config file is rewritten every few seconds.
// Goal: 0 failed requests (every answer a 200 with a complete body). `make bench-chaos`.
//   node dist/perf/gateway-chaos.js [--rate 500] [--seconds 60] [--out perf/results/…json]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort, startRedisServer } from '../test/helpers/redis-server.js';
import { arrivalOffsets, mulberry32 } from './arrivals.js';
import { buildMix } from './mix.js';
import { repoRoot } from './servers.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    out: { type: 'string' },
    // Without faults and reloads: the same load on a healthy stack, for comparison.
    calm: { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
/** Requests in flight beyond this are not sent (counted as dropped): a bound on the generator. */
const MAX_OUTSTANDING = 2000;
const REQUEST_TIMEOUT_MS = 30_000;

interface Ports {
  gateway: number;
  grpc: number;
  admin: number;
  small: number;
  large: number;
}

function configDoc(ports: Ports, redisUrl: string, generation: number): string {
  const doc = parse(readFileSync(path.join(repoRoot, 'deploy/local/semroute.yaml'), 'utf8'));
  doc.listeners = { grpc: { address: `127.0.0.1:${ports.grpc}` }, admin: { address: `127.0.0.1:${ports.admin}` } };
  doc.models[0].endpoints = [`127.0.0.1:${ports.small}`];
  doc.models[1].endpoints = [`127.0.0.1:${ports.large}`];
  doc.inference.models = {
    domain: { path: path.join(repoRoot, 'models/domain-classifier'), task: 'sequence-classification' },
    jailbreak: { path: path.join(repoRoot, 'models/jailbreak-detector'), task: 'sequence-classification' },
    embedding: { path: path.join(repoRoot, 'models/embedding'), task: 'embedding' },
  };
  // Short Redis op budget and a fast breaker, as a latency-sensitive deployment would set them.
  doc.state = { backend: 'redis', redis: { url: redisUrl, op_timeout_ms: 50 } };
  doc.affinity = { enabled: true };
  doc.cache = { enabled: true };
  for (const d of doc.decisions) if (d.models?.length) d.plugins = { ...d.plugins, cache: { enabled: true } };
  // Each rewrite changes the content (and a signal's keyword list), so the router really reloads.
  doc.signals.keyword[0].any = [...doc.signals.keyword[0].any, `generation${generation}`];
  return `# gateway-chaos generation ${generation}\n${stringify(doc)}`;
}

interface Outcome {
  status: number | 'error';
  ms: number;
  cache?: string;
  error?: string;
}

async function send(url: string, item: ReturnType<typeof buildMix>[number]): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const res = await fetch(url + item.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: item.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status === 200 && item.stream && !text.includes('[DONE]')) return { status: 'error', ms: performance.now() - t0, error: 'incomplete SSE stream' };
    return { status: res.status, ms: performance.now() - t0, cache: res.headers.get('x-semroute-cache') ?? 'none', ...(res.status !== 200 ? { error: text.slice(0, 200) } : {}) };
  } catch (e) {
    return { status: 'error', ms: performance.now() - t0, error: (e as Error).message };
  }
}

async function waitForGateway(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/v1/models`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the gateway did not come up within 60 s');
}

/** The sum of a metric's series on the router's /metrics (0 when absent). */
async function metric(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'semroute-chaos-'));
  const ports: Ports = { gateway: await freePort(), grpc: await freePort(), admin: await freePort(), small: await freePort(), large: await freePort() };
  const configFile = path.join(dir, 'semroute.yaml');
  let generation = 0;
  writeFileSync(configFile, configDoc(ports, redis.url, generation));
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'dev', '--config', configFile, '--fake-upstreams', '--listen', `127.0.0.1:${ports.gateway}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SEMROUTE_LOG_LEVEL: 'warn' },
  });
  let stderrTail = '';
  child.stderr.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${ports.gateway}`;
  const adminUrl = `http://127.0.0.1:${ports.admin}`;
  const events: string[] = [];
  try {
    await waitForGateway(url);
    const mix = buildMix({ size: 2000, users: 200 });
    const offsets = arrivalOffsets(RATE, SECONDS, 'uniform', mulberry32(1));
    const outcomes: Outcome[] = [];
    let outstanding = 0;
    let dropped = 0;
    const start = performance.now();
    const at = (s: number, what: string, fn: () => unknown) =>
      setTimeout(() => {
        events.push(`${s}s ${what}`);
        void fn();
      }, s * 1000);
    // The faults, spread over the run (times scale with --seconds).
    const f = SECONDS / 60;
    const timers = values.calm ? [] : [
      at(10 * f, 'redis paused (SIGSTOP)', () => redis.pause()),
      at(13 * f, 'redis resumed', () => redis.resume()),
      at(22 * f, 'redis killed (SIGKILL)', () => redis.kill()),
      at(27 * f, 'redis restarted (empty)', () => redis.start()),
      at(38 * f, 'redis stopped (SIGTERM)', () => redis.stop()),
      at(42 * f, 'redis restarted (empty)', () => redis.start()),
      at(50 * f, 'redis paused (SIGSTOP)', () => redis.pause()),
      at(52 * f, 'redis resumed', () => redis.resume()),
    ];
    const reloads = setInterval(() => {
      if (values.calm) return;
      generation++;
      writeFileSync(configFile, configDoc(ports, redis.url, generation));
    }, 4000);
    const inflight: Array<Promise<void>> = [];
    for (let i = 0; i < offsets.length; i++) {
      const wait = offsets[i]! - (performance.now() - start);
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (outstanding >= MAX_OUTSTANDING) {
        dropped++;
        continue;
      }
      outstanding++;
      inflight.push(
        send(url, mix[i % mix.length]!).then((o) => {
          outstanding--;
          outcomes.push(o);
        }),
      );
    }
    await Promise.all(inflight);
    clearInterval(reloads);
    timers.forEach(clearTimeout);
    redis.resume();
    const elapsed = (performance.now() - start) / 1000;
    const failed = outcomes.filter((o) => o.status !== 200);
    const byCache = new Map<string, number>();
    for (const o of outcomes) byCache.set(o.cache ?? 'none', (byCache.get(o.cache ?? 'none') ?? 0) + 1);
    const lat = summarize(outcomes.map((o) => o.ms));
    const report = {
      rate: RATE,
      seconds: SECONDS,
      elapsed_s: Number(elapsed.toFixed(1)),
      sent: outcomes.length,
      dropped,
      failed: failed.length,
      failures: [...new Set(failed.map((o) => `${o.status}: ${o.error}`))].slice(0, 10),
      achieved_rps: Number((outcomes.length / elapsed).toFixed(1)),
      latency_ms: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, Number((v as number).toFixed(1))])),
      cache: Object.fromEntries(byCache),
      reloads: await metric(adminUrl, 'semroute_config_reloads_total'),
      streams_active_after: await metric(adminUrl, 'semroute_extproc_streams_active'),
      streams_reaped: await metric(adminUrl, 'semroute_extproc_streams_reaped_total'),
      events,
    };
    console.log(JSON.stringify(report, null, 2));
    if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
    if (report.failed > 0 || report.dropped > 0) process.exitCode = 1;
  } catch (e) {
    console.error(stderrTail);
    throw e;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
