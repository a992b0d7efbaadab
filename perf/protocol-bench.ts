// The client protocols' cost: OpenAI Responses (POST /v1/responses) and Anthropic Messages
// (POST /v1/messages), native (only the model rewritten) and translated to chat completions
// (src/protocol/translate/*), against baselines measured in the same run, rounds alternating.
//   node dist/perf/protocol-bench.js [--quick] [--seconds 2] [--rounds 6] [--concurrency 16]
//                                    [--cpu-ms 300] [--cpu-rounds 7] [--chunks 200]
//                                    [--only cpu|stack] [--token-usage on|off] [--out FILE]
// 1. Translator CPU, pure functions: a vLLM-shaped streamed chat answer (--chunks content chunks of
//    2–4 words, the finish chunk, the usage chunk, [DONE]; one push per SSE event) through each
//    translator's responseStream (push … end), and the same answer as JSON through responseJson
//    (JSON.parse, translate, JSON.stringify, as ResponseTranslation.end does), against SseParser
//    over the same chunks and JSON.parse of the same body (at most what a native answer costs:
//    the cache capture and the usage meter parse it that way). Plus translator.request per request.
// 2. Through the stack: the local gateway (Envoy stand-in) → semroute (its own process, as
//    `semroute serve`) → fake vLLM upstreams, closed loop at a fixed concurrency: chat (the
//    baseline), native Responses and Anthropic (a backend serving every API), translated ones (a
//    backend serving chat only), JSON and streaming; the same requests through a gateway in front
//    of the no-op ext_proc floor (to a backend serving every API). Router CPU per request from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { translationContext } from '../src/pipeline/translation.js';
import type { Protocol } from '../src/protocol/ir.js';
import { SseParser } from '../src/protocol/sse.js';
import { translatorFor, type ChatCompletion, type ProtocolTranslator } from '../src/protocol/translate/index.js';
import { freePort } from '../test/helpers/redis-server.js';
import { sampleProcessTree } from './proc.js';
import { anthropicRequest, chatAnswer, responsesRequest } from './protocol-fixtures.js';
import { describeMachine, machineLine } from './report.js';
import { repoRoot, startSemroute, type ServerUnderTest } from './servers.js';
import { summarize } from './stats.js';

const log = (l: string) => process.stdout.write(`${l}\n`);
const here = path.dirname(fileURLToPath(import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

// ---------------------------------------------------------------------------------------------
// 1. Translator CPU

/** µs per call of fn, run for about `ms` (wall time of one thread: the CPU it costs, GC included). */
function microsPerCall(fn: () => unknown, ms: number): number {
  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (elapsed * 1000) / calls;
}

interface CpuRow {
  name: string;
  /** The baseline row it is compared with (undefined: it is one). */
  baseline?: string;
  usPerRequest: number;
  /** Per upstream SSE event (stream rows only). */
  usPerEvent?: number;
  rounds: number[];
}

const ANTHROPIC: Protocol = 'anthropic.messages';
const RESPONSES: Protocol = 'openai.responses';

function translator(p: Protocol): ProtocolTranslator {
  const t = translatorFor(p);
  if (!t) throw new Error(`no translator for ${p}`);
  return t;
}

function measureTranslators(chunks: number, ms: number, rounds: number): { rows: CpuRow[]; events: number; sseBytes: number; jsonBytes: number; clientBytes: Record<string, number> } {
  const answer = chatAnswer(chunks);
  const jsonText = answer.json;
  const requests = { [ANTHROPIC]: anthropicRequest(true), [RESPONSES]: responsesRequest(true) } as Record<Protocol, Record<string, unknown>>;
  const rawRequests = { [ANTHROPIC]: Buffer.from(JSON.stringify(requests[ANTHROPIC])), [RESPONSES]: Buffer.from(JSON.stringify(requests[RESPONSES])) } as Record<Protocol, Buffer>;
  // A fresh context per answer, as ResponseTranslation.begin makes one (random ids included).
  const ctx = (p: Protocol, stream: boolean) => translationContext({ protocol: p, stream, request: requests[p], model: 'auto', ...(p === RESPONSES ? { responseId: 'resp_0123456789abcdef0123456789abcdef' } : {}) });
  const clientBytes: Record<string, number> = {};
  const stream = (p: Protocol) => () => {
    const s = translator(p).responseStream(ctx(p, true));
    let bytes = 0;
    for (const c of answer.sseChunks) bytes += s.push(c).length;
    bytes += s.end().length;
    if (s.completed === undefined) throw new Error(`${p}: the stream did not complete`);
    return bytes;
  };
  const json = (p: Protocol) => () => {
    const chat = JSON.parse(jsonText.toString('utf8')) as ChatCompletion;
    return Buffer.from(JSON.stringify(translator(p).responseJson(chat, ctx(p, false)))).length;
  };
  const work: Array<{ name: string; baseline?: string; events?: boolean; fn: () => unknown }> = [
    {
      name: 'sse-baseline',
      events: true,
      fn: () => {
        const parser = new SseParser();
        let n = 0;
        for (const c of answer.sseChunks) n += parser.push(c).length;
        if (n !== answer.events) throw new Error(`parsed ${n} events, expected ${answer.events}`);
        return n;
      },
    },
    // The parse every translator needs on top: SseParser, then JSON.parse of each chunk.
    {
      name: 'sse+json-baseline',
      events: true,
      fn: () => {
        const parser = new SseParser();
        let n = 0;
        for (const c of answer.sseChunks) for (const e of parser.push(c)) if (e.data !== '[DONE]') n += (JSON.parse(e.data) as { choices: unknown[] }).choices.length;
        return n;
      },
    },
    { name: 'stream-anthropic', baseline: 'sse-baseline', events: true, fn: stream(ANTHROPIC) },
    { name: 'stream-responses', baseline: 'sse-baseline', events: true, fn: stream(RESPONSES) },
    { name: 'json-baseline', fn: () => JSON.parse(jsonText.toString('utf8')) },
    { name: 'json-anthropic', baseline: 'json-baseline', fn: json(ANTHROPIC) },
    { name: 'json-responses', baseline: 'json-baseline', fn: json(RESPONSES) },
    // The request: JSON.parse of the client's body (what any route pays) as the reference; the
    // translation alone; the translation and the JSON.stringify of the chat body it forwards.
    { name: 'request-parse-anthropic', fn: () => JSON.parse(rawRequests[ANTHROPIC].toString('utf8')) },
    { name: 'request-anthropic', baseline: 'request-parse-anthropic', fn: () => translator(ANTHROPIC).request(requests[ANTHROPIC]) },
    { name: 'request-anthropic+stringify', baseline: 'request-parse-anthropic', fn: () => Buffer.from(JSON.stringify(translator(ANTHROPIC).request(requests[ANTHROPIC]))) },
    { name: 'request-parse-responses', fn: () => JSON.parse(rawRequests[RESPONSES].toString('utf8')) },
    { name: 'request-responses', baseline: 'request-parse-responses', fn: () => translator(RESPONSES).request(requests[RESPONSES]) },
    { name: 'request-responses+stringify', baseline: 'request-parse-responses', fn: () => Buffer.from(JSON.stringify(translator(RESPONSES).request(requests[RESPONSES]))) },
  ];
  clientBytes['stream-anthropic'] = stream(ANTHROPIC)();
  clientBytes['stream-responses'] = stream(RESPONSES)();
  clientBytes['json-anthropic'] = json(ANTHROPIC)();
  clientBytes['json-responses'] = json(RESPONSES)();
  // Warm-up (JIT), then rounds in alternating order so drift lands on every row.
  for (const w of work) microsPerCall(w.fn, Math.min(200, ms));
  const samples = new Map<string, number[]>(work.map((w) => [w.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...work].reverse() : work;
    for (const w of order) samples.get(w.name)!.push(microsPerCall(w.fn, ms));
  }
  const rows = work.map((w) => {
    const us = median(samples.get(w.name)!);
    return { name: w.name, ...(w.baseline ? { baseline: w.baseline } : {}), usPerRequest: us, ...(w.events ? { usPerEvent: us / answer.events } : {}), rounds: samples.get(w.name)! };
  });
  const sseBytes = answer.sseChunks.reduce((a, c) => a + c.length, 0);
  return { rows, events: answer.events, sseBytes, jsonBytes: jsonText.length, clientBytes };
}

function cpuTable(rows: CpuRow[], events: number): string {
  const by = new Map(rows.map((r) => [r.name, r]));
  const f = (v: number | undefined, d = 1) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  const lines = [
    '| work | µs/request | µs/SSE event | baseline | added µs/request | added µs/SSE event | ratio |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const b = r.baseline ? by.get(r.baseline) : undefined;
      const added = b ? r.usPerRequest - b.usPerRequest : undefined;
      return `| ${r.name} | ${f(r.usPerRequest)} | ${f(r.usPerEvent, 2)} | ${r.baseline ?? '—'} | ${f(added)} | ${r.usPerEvent !== undefined && added !== undefined ? (added / events).toFixed(2) : '—'} | ${b ? (r.usPerRequest / b.usPerRequest).toFixed(2) : '—'} |`;
    }),
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// 2. Through the stack

type Api = 'chat' | 'responses' | 'messages';
interface Case {
  key: string;
  api: Api;
  /** The path the router takes: chat, native (a backend serving the API) or translated. */
  route: 'chat' | 'native' | 'translated';
  stream: boolean;
}

const PATHS: Record<Api, string> = { chat: '/v1/chat/completions', responses: '/v1/responses', messages: '/v1/messages' };
/** The keyword that sends a request to the backend serving every API (without it: chat only). */
const NATIVE_WORD = 'viapathn';
const TRANSLATED_WORD = 'viapatht';
const prompt = (word: string) =>
  `Please explain, in two short paragraphs, why the ${word} build of our service fails its integration tests after the dependency upgrade, and what we should check first in the logs.`;

function requestBody(c: Case): Buffer {
  const text = prompt(c.route === 'translated' ? TRANSLATED_WORD : NATIVE_WORD);
  const stream = c.stream ? { stream: true } : {};
  if (c.api === 'chat') return Buffer.from(JSON.stringify({ model: 'auto', max_tokens: 256, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: text }], ...stream }));
  if (c.api === 'messages') return Buffer.from(JSON.stringify({ model: 'auto', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: text }], ...stream }));
  return Buffer.from(JSON.stringify({ model: 'auto', max_output_tokens: 256, instructions: 'Be brief.', input: text, ...stream }));
}

/** What a complete answer contains (a cut-off stream or a wrong shape counts as an error). */
function complete(c: Case, body: string): boolean {
  if (c.api === 'chat') return c.stream ? body.includes('data: [DONE]') : body.includes('"finish_reason":"stop"');
  if (c.api === 'messages') return c.stream ? body.includes('event: message_stop') : body.includes('"stop_reason":"end_turn"');
  return c.stream ? body.includes('event: response.completed') : body.includes('"status":"completed"');
}

function benchConfig(ports: { native: number; chat: number }, tokenUsage: boolean): string {
  return stringify({
    version: 'v1',
    // token_usage (default on) reads every answer's usage: Envoy then streams every routed answer through ext_proc.
    ...(tokenUsage ? {} : { telemetry: { token_usage: false } }),
    routing: { auto_model_names: ['auto'], default_decision: 'translated' },
    // Same-length names and prompts: every answer echoes them, so all paths carry the same bytes.
    models: [
      { name: 'native', served_name: 'org/native-8b', endpoints: [`127.0.0.1:${ports.native}`], api: ['chat', 'completions', 'responses', 'messages'] },
      { name: 'chatmd', served_name: 'org/chatmd-8b', endpoints: [`127.0.0.1:${ports.chat}`], api: ['chat', 'completions'] },
    ],
    signals: { keyword: [{ name: 'native_path', any: [NATIVE_WORD], whole_words: true }] },
    decisions: [
      { name: 'native', priority: 100, rules: { any: ['native_path'] }, models: [{ model: 'native' }] },
      { name: 'translated', priority: 0, rules: { all: [] }, models: [{ model: 'chatmd' }] },
    ],
  });
}

interface Child {
  pid: number;
  /** The ready line's capture. */
  ready: string;
  close(): Promise<void>;
}

/** A helper process of this bench (dist/perf/<script>), ready once it prints a line matching `ready`. */
function startChild(script: string, args: string[], ready: RegExp): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [path.join(here, script), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        pid: child.pid!,
        ready: m[1]!,
        close: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            const t = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(t);
              r();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${script}] ${d.toString()}`));
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready: ${out.slice(-500)}`)));
  });
}

interface Window {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** Characters of the answers the client read. */
  bytes: number;
  /** CPU seconds of the ext_proc server under test (semroute or the floor), of the gateway+upstreams process. */
  serverCpu: number;
  stackCpu: number;
  firstError?: string;
}

function post(agent: http.Agent, base: URL, c: Case, body: Buffer): Promise<{ ok: boolean; bytes: number; error?: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
    if (c.api === 'messages') headers['anthropic-version'] = '2023-06-01';
    const req = http.request({ host: base.hostname, port: base.port, path: PATHS[c.api], method: 'POST', agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        if (res.statusCode === 200 && complete(c, text)) resolve({ ok: true, bytes: text.length });
        else resolve({ ok: false, bytes: 0, error: `${res.statusCode}: ${text.slice(0, 300)}` });
      });
      res.on('error', (e) => resolve({ ok: false, bytes: 0, error: e.message }));
    });
    req.on('error', (e) => resolve({ ok: false, bytes: 0, error: e.message }));
    req.end(body);
  });
}

/** Closed loop: `concurrency` workers, each sending the next request when its answer is whole. */
async function closedLoop(agent: http.Agent, url: string, c: Case, concurrency: number, seconds: number, cpuPids: { server: number; stack: number }): Promise<Window> {
  const base = new URL(url);
  const body = requestBody(c);
  const w: Window = { requests: 0, errors: 0, seconds: 0, latencies: [], bytes: 0, serverCpu: 0, stackCpu: 0 };
  const s0 = sampleProcessTree(cpuPids.server).cpuSeconds;
  const k0 = sampleProcessTree(cpuPids.stack).cpuSeconds;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const r = await post(agent, base, c, body);
      if (r.ok) {
        w.requests++;
        w.bytes += r.bytes;
        w.latencies.push(performance.now() - t0);
      } else {
        w.errors++;
        w.firstError ??= r.error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  w.seconds = (performance.now() - start) / 1000;
  w.serverCpu = sampleProcessTree(cpuPids.server).cpuSeconds - s0;
  w.stackCpu = sampleProcessTree(cpuPids.stack).cpuSeconds - k0;
  return w;
}

interface StackRow {
  server: 'semroute' | 'floor';
  case: Case;
  rps: number;
  rounds: number[];
  p50: number;
  p99: number;
  serverCpuMsPerRequest: number;
  stackCpuMsPerRequest: number;
  /** Mean characters per answer the client read. */
  answerBytes: number;
  requests: number;
  errors: number;
  firstError?: string;
}

const CASES: Case[] = [false, true].flatMap((stream) => [
  { key: 'chat', api: 'chat' as const, route: 'chat' as const, stream },
  { key: 'responses-native', api: 'responses' as const, route: 'native' as const, stream },
  { key: 'messages-native', api: 'messages' as const, route: 'native' as const, stream },
  { key: 'responses-translated', api: 'responses' as const, route: 'translated' as const, stream },
  { key: 'messages-translated', api: 'messages' as const, route: 'translated' as const, stream },
]);

async function measureStack(opts: { seconds: number; warmup: number; rounds: number; concurrency: number; tokenUsage: boolean }): Promise<StackRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-protocol-bench-'));
  const configFile = path.join(dir, 'semroute.yaml');
  writeFileSync(configFile, benchConfig({ native: await freePort(), chat: await freePort() }, opts.tokenUsage));
  let router: ServerUnderTest | undefined;
  let floor: Child | undefined;
  let stack: Child | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    router = await startSemroute(configFile);
    floor = await startChild('protocol-floor.js', ['127.0.0.1:0'], /^listening (\S+)$/m);
    stack = await startChild('protocol-stack.js', ['--config', configFile, '--router', router.address, '--floor', floor.ready, '--floor-upstream', 'native'], /^protocol-stack-ready (\{.*\})$/m);
    const urls = JSON.parse(stack.ready) as { semroute: string; floor: string };
    // Per round, per stream mode: floor and semroute of each protocol next to each other; the
    // floor has no routing, so its "translated" would be its native: measured once per protocol.
    const entries: Array<{ server: 'semroute' | 'floor'; c: Case }> = [];
    for (const c of CASES) {
      if (c.route !== 'translated') entries.push({ server: 'floor', c });
      entries.push({ server: 'semroute', c });
    }
    const windows = new Map<string, Window[]>();
    const keyOf = (server: string, c: Case) => `${server}/${c.key}/${c.stream ? 'stream' : 'json'}`;
    // One warm-up pass over every case first (JIT, connection pools), not counted.
    for (const e of entries) {
      await closedLoop(agent, e.server === 'floor' ? urls.floor : urls.semroute, e.c, opts.concurrency, Math.max(opts.warmup, 0.5), { server: e.server === 'floor' ? floor.pid : router.pid, stack: stack.pid });
    }
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 ? [...entries].reverse() : entries;
      for (const e of order) {
        const url = e.server === 'floor' ? urls.floor : urls.semroute;
        const pids = { server: e.server === 'floor' ? floor.pid : router.pid, stack: stack.pid };
        if (opts.warmup > 0) await closedLoop(agent, url, e.c, opts.concurrency, opts.warmup, pids);
        const w = await closedLoop(agent, url, e.c, opts.concurrency, opts.seconds, pids);
        const k = keyOf(e.server, e.c);
        windows.set(k, [...(windows.get(k) ?? []), w]);
        log(`  round ${r + 1}/${opts.rounds} ${k}: ${(w.requests / w.seconds).toFixed(0)} req/s, ${((w.serverCpu * 1000) / Math.max(1, w.requests)).toFixed(3)} ms server CPU/req${w.errors ? `, ${w.errors} errors (${w.firstError})` : ''}`);
      }
    }
    return entries.map((e) => {
      const ws = windows.get(keyOf(e.server, e.c))!;
      const requests = ws.reduce((a, w) => a + w.requests, 0);
      const seconds = ws.reduce((a, w) => a + w.seconds, 0);
      const lat = summarize(ws.flatMap((w) => w.latencies));
      const firstError = ws.find((w) => w.firstError)?.firstError;
      return {
        server: e.server,
        case: e.c,
        rps: requests / seconds,
        rounds: ws.map((w) => w.requests / w.seconds),
        p50: lat.p50,
        p99: lat.p99,
        serverCpuMsPerRequest: (ws.reduce((a, w) => a + w.serverCpu, 0) * 1000) / Math.max(1, requests),
        stackCpuMsPerRequest: (ws.reduce((a, w) => a + w.stackCpu, 0) * 1000) / Math.max(1, requests),
        answerBytes: ws.reduce((a, w) => a + w.bytes, 0) / Math.max(1, requests),
        requests,
        errors: ws.reduce((a, w) => a + w.errors, 0),
        ...(firstError ? { firstError } : {}),
      };
    });
  } finally {
    agent.destroy();
    await stack?.close();
    await router?.close();
    await floor?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface StackSummary {
  key: string;
  stream: boolean;
  rps: number;
  vsChat: number;
  floorRps: number;
  vsFloor: number;
  /** (vs the floor) / (chat's vs the floor): the issue's goal is ≥ 0.9 for the native paths. */
  vsFloorOverChat: number;
  p50: number;
  p99: number;
  routerCpuMsPerRequest: number;
  stackCpuMsPerRequest: number;
  answerBytes: number;
  errors: number;
}

function summarizeStack(rows: StackRow[]): StackSummary[] {
  const find = (server: string, key: string, stream: boolean) => rows.find((r) => r.server === server && r.case.key === key && r.case.stream === stream);
  return rows
    .filter((r) => r.server === 'semroute')
    .map((r) => {
      const chat = find('semroute', 'chat', r.case.stream)!;
      const floor = find('floor', r.case.api === 'chat' ? 'chat' : `${r.case.api}-native`, r.case.stream)!;
      const chatFloor = find('floor', 'chat', r.case.stream)!;
      // Ratios per round (measured seconds apart), then the median over rounds: drift between
      // rounds cancels out, which a ratio of pooled totals would not do.
      const perRound = (f: (i: number) => number) => median(r.rounds.map((_, i) => f(i)));
      return {
        key: r.case.key,
        stream: r.case.stream,
        rps: r.rps,
        vsChat: perRound((i) => r.rounds[i]! / chat.rounds[i]!),
        floorRps: floor.rps,
        vsFloor: perRound((i) => r.rounds[i]! / floor.rounds[i]!),
        vsFloorOverChat: perRound((i) => r.rounds[i]! / floor.rounds[i]! / (chat.rounds[i]! / chatFloor.rounds[i]!)),
        p50: r.p50,
        p99: r.p99,
        routerCpuMsPerRequest: r.serverCpuMsPerRequest,
        stackCpuMsPerRequest: r.stackCpuMsPerRequest,
        answerBytes: r.answerBytes,
        errors: r.errors + floor.errors,
      };
    });
}

function stackTable(s: StackSummary[], rows: StackRow[]): string {
  const floorCpu = (key: string, stream: boolean) => rows.find((r) => r.server === 'floor' && r.case.key === key && r.case.stream === stream)?.serverCpuMsPerRequest;
  const f = (v: number | undefined, d = 2) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  return [
    '| request | body | semroute rps | vs chat | floor rps | vs floor | vs floor / chat\'s | p50 / p99 ms | router CPU ms/req (floor) | gateway+upstream CPU ms/req | answer bytes | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...s.map((x) => {
      const fk = x.key === 'chat' ? 'chat' : `${x.key.split('-')[0]}-native`;
      return `| ${x.key} | ${x.stream ? 'SSE' : 'JSON'} | ${x.rps.toFixed(0)} | ${f(x.vsChat)} | ${x.floorRps.toFixed(0)} | ${f(x.vsFloor)} | ${f(x.vsFloorOverChat)} | ${f(x.p50)} / ${f(x.p99)} | ${f(x.routerCpuMsPerRequest, 3)} (${f(floorCpu(fk, x.stream), 3)}) | ${f(x.stackCpuMsPerRequest, 3)} | ${x.answerBytes.toFixed(0)} | ${x.errors} |`;
    }),
  ].join('\n');
}

/**
 * Router CPU the translated path adds per request (ms) over the native one and over chat. The
 * native backend answers in the client's protocol (a bigger stream for Responses, so more body
 * chunks through ext_proc); chat is answered from the same chat stream the translated path reads.
 */
function translatedAdded(s: StackSummary[]): Array<{ protocol: string; stream: boolean; chatMs: number; nativeMs: number; translatedMs: number; addedOverNativeMs: number; addedOverChatMs: number }> {
  const out = [];
  for (const stream of [false, true]) {
    const chat = s.find((x) => x.key === 'chat' && x.stream === stream)!;
    for (const p of ['responses', 'messages']) {
      const n = s.find((x) => x.key === `${p}-native` && x.stream === stream)!;
      const t = s.find((x) => x.key === `${p}-translated` && x.stream === stream)!;
      out.push({
        protocol: p,
        stream,
        chatMs: chat.routerCpuMsPerRequest,
        nativeMs: n.routerCpuMsPerRequest,
        translatedMs: t.routerCpuMsPerRequest,
        addedOverNativeMs: t.routerCpuMsPerRequest - n.routerCpuMsPerRequest,
        addedOverChatMs: t.routerCpuMsPerRequest - chat.routerCpuMsPerRequest,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      'cpu-ms': { type: 'string' },
      'cpu-rounds': { type: 'string' },
      chunks: { type: 'string', default: '200' },
      only: { type: 'string' },
      'token-usage': { type: 'string', default: 'on' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick;
  const settings = {
    seconds: Number(values.seconds ?? (quick ? 1 : 2)),
    warmup: 0.3,
    rounds: Number(values.rounds ?? (quick ? 1 : 6)),
    concurrency: Number(values.concurrency),
    cpuMs: Number(values['cpu-ms'] ?? (quick ? 100 : 300)),
    cpuRounds: Number(values['cpu-rounds'] ?? (quick ? 3 : 7)),
    chunks: Number(values.chunks),
    tokenUsage: values['token-usage'] !== 'off',
  };
  const machine = describeMachine();
  const started = new Date();
  log(`machine: ${machineLine(machine)}`);
  log(`settings: ${JSON.stringify(settings)}`);
  const result: Record<string, unknown> = { date: started.toISOString(), command: `node dist/perf/protocol-bench.js ${process.argv.slice(2).join(' ')}`.trim(), machine, settings };

  if (values.only !== 'stack') {
    log(`\ntranslator CPU: ${settings.chunks} content chunks, ${settings.cpuRounds} rounds × ${settings.cpuMs} ms per row`);
    const cpu = measureTranslators(settings.chunks, settings.cpuMs, settings.cpuRounds);
    log(`chat answer: ${cpu.events} SSE events (${cpu.sseBytes} bytes), JSON ${cpu.jsonBytes} bytes; client bytes ${JSON.stringify(cpu.clientBytes)}`);
    log(cpuTable(cpu.rows, cpu.events));
    result.translatorCpu = cpu;
  }
  if (values.only !== 'cpu') {
    log(`\nthrough the stack: c=${settings.concurrency}, ${settings.rounds} rounds × ${settings.seconds} s per case after ${settings.warmup} s warm-up`);
    const rows = await measureStack(settings);
    const summary = summarizeStack(rows);
    log(stackTable(summary, rows));
    const added = translatedAdded(summary);
    const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
    log('\nrouter CPU ms/request, translated against native and chat:');
    for (const a of added) log(`  ${a.protocol} ${a.stream ? 'SSE' : 'JSON'}: translated ${a.translatedMs.toFixed(3)}, native ${a.nativeMs.toFixed(3)} (${sign(a.addedOverNativeMs)}), chat ${a.chatMs.toFixed(3)} (${sign(a.addedOverChatMs)})`);
    result.stack = { rows, summary, translatedAddedRouterCpu: added };
  }
  result.loadAverageAtEnd = os.loadavg();
  const out = values.out ?? path.join(repoRoot, 'perf', 'results', settings.tokenUsage ? 'protocol-bench.json' : 'protocol-bench-token-usage-off.json');
  if (quick && !values.out) return;
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`protocol-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
