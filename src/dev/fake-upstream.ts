// A fake vLLM server for the demo, the tests and the benchmarks: chat and text completions, the
// OpenAI Responses API and the Anthropic Messages API (each JSON or SSE, each one switched on with
// `apis`), /v1/models, and /metrics with vLLM-style gauges. Every API gives the same deterministic
// answer (fake-answer.ts: an echo, a tool call, reasoning). It records every request it receives so
// that tests can assert what arrived upstream.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openAiError, ragged, type Reply } from './fake-answer.js';
import { completionEvents, completionJson, makeCompletion, type CompletionRequest } from './fake-completions.js';
import { anthropicError, answerMessages, countMessageTokens } from './fake-messages.js';
import { answerResponses, deleteResponse, ResponseStore, retrieveResponse } from './fake-responses.js';

/** The APIs a fake upstream can serve (vLLM's paths: /v1/chat/completions, /v1/completions, /v1/responses, /v1/messages). */
export type FakeApi = 'chat' | 'completions' | 'responses' | 'messages';

export interface RecordedRequest {
  method: string;
  /** The request target as received (path and query). */
  path: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface FakeUpstreamOptions {
  name: string;
  host?: string;
  /** 0 = ephemeral. */
  port: number;
  /** Served model names for /v1/models; default [name]. */
  models?: string[];
  /** Delay before answering completions and /v1/models. */
  latencyMs?: number;
  /**
   * The APIs served; default ['chat', 'completions']. The paths of the others answer 404 as
   * unknown paths do. 'messages' adds /v1/messages/count_tokens; 'responses' adds GET and DELETE
   * /v1/responses/{id}.
   */
  apis?: FakeApi[];
  /** How many responses the Responses API keeps for previous_response_id; default 1000. */
  storedResponses?: number;
}

export interface FakeUpstream {
  name: string;
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, tag: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...tag });
  res.end(text);
}

/** Resolves after ms, or early (false) when the client goes away. */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  if (!ms) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', gone);
      resolve(!res.destroyed);
    }, ms);
    const gone = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once('close', gone);
  });
}

function record(req: IncomingMessage, body: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body };
}

export async function startFakeUpstream(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const models = opts.models ?? [opts.name];
  const tag = { 'x-upstream': opts.name };
  const latency = opts.latencyMs ?? 0;
  const apis = new Set<FakeApi>(opts.apis ?? ['chat', 'completions']);
  const store = new ResponseStore(opts.storedResponses ?? 1000);
  let running = 0;
  let seq = 0;

  /** The JSON object body, or undefined after answering 400 in the API's error shape. */
  function parse(res: ServerResponse, raw: string, api: FakeApi): Record<string, unknown> | undefined {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // answered below
    }
    const message = 'The request body is not valid JSON.';
    sendJson(res, 400, api === 'messages' ? anthropicError(message) : openAiError(message, 'invalid_json'), tag);
    return undefined;
  }

  async function send(res: ServerResponse, reply: Reply, seed: number): Promise<void> {
    if (!('events' in reply)) {
      sendJson(res, reply.status, reply.json, tag);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...tag });
    // Separate writes on separate ticks, cut across event boundaries.
    for (const piece of ragged(reply.events.join(''), seed)) {
      if (res.destroyed) return;
      res.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  }

  /** A generation request: counted as running, answered after the latency. */
  async function generate(res: ServerResponse, raw: string, api: FakeApi, answer: (b: Record<string, unknown>, n: number) => Reply): Promise<void> {
    const b = parse(res, raw, api);
    if (!b) return;
    running++;
    try {
      if (!(await delay(latency, res))) return;
      const n = ++seq;
      await send(res, answer(b, n), n);
    } finally {
      running--;
    }
  }

  function completion(b: CompletionRequest, n: number, chat: boolean): Reply {
    const c = makeCompletion(opts.name, models[0]!, b, chat, n);
    return b.stream === true ? { status: 200, events: completionEvents(c, b.stream_options?.include_usage === true) } : { status: 200, json: completionJson(c) };
  }

  /** The API a path belongs to, or undefined. */
  function apiOf(path: string): FakeApi | undefined {
    if (path === '/v1/chat/completions') return 'chat';
    if (path === '/v1/completions') return 'completions';
    if (path === '/v1/responses' || path.startsWith('/v1/responses/')) return 'responses';
    if (path === '/v1/messages' || path === '/v1/messages/count_tokens') return 'messages';
    return undefined;
  }

  /** Answers a request for one of the served APIs; false: no such route. */
  async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean> {
    const api = apiOf(path);
    if (!api || !apis.has(api)) return false;
    const post = req.method === 'POST';
    if (post && (api === 'chat' || api === 'completions')) await generate(res, body, api, (b, n) => completion(b, n, api === 'chat'));
    else if (post && path === '/v1/messages') await generate(res, body, api, (b, n) => answerMessages(opts.name, models[0]!, b, n));
    else if (post && path === '/v1/responses') await generate(res, body, api, (b, n) => answerResponses(store, opts.name, models[0]!, b, n));
    else if (post && path === '/v1/messages/count_tokens') {
      const b = parse(res, body, api);
      if (b) await send(res, countMessageTokens(b), 0);
    } else if (path.startsWith('/v1/responses/') && (req.method === 'GET' || req.method === 'DELETE')) {
      const raw = path.slice('/v1/responses/'.length);
      let id = raw;
      try {
        id = decodeURIComponent(raw);
      } catch {
        // a malformed escape: looked up as sent (and not found)
      }
      await send(res, req.method === 'GET' ? retrieveResponse(store, id) : deleteResponse(store, id), 0);
    } else return false;
    return true;
  }

  function metrics(res: ServerResponse): void {
    const lines = ['# TYPE vllm:num_requests_running gauge', '# TYPE vllm:num_requests_waiting gauge', '# TYPE vllm:gpu_cache_usage_perc gauge'];
    for (const m of models) {
      lines.push(`vllm:num_requests_running{model_name="${m}"} ${running}`);
      lines.push(`vllm:num_requests_waiting{model_name="${m}"} 0`);
      lines.push(`vllm:gpu_cache_usage_perc{model_name="${m}"} ${Math.min(1, running * 0.05).toFixed(2)}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', ...tag });
    res.end(`${lines.join('\n')}\n`);
  }

  async function route(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    // node:http leaves the body out of HEAD answers itself.
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (await serveApi(req, res, path, body)) {
      // answered
    } else if (read && path === '/v1/models') {
      if (!(await delay(latency, res))) return;
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'vllm', root: id, max_model_len: 32768 })) }, tag);
    } else if (read && path === '/metrics') {
      metrics(res);
    } else if (read && path === '/health') {
      res.writeHead(200, tag);
      res.end();
    } else {
      sendJson(res, 404, openAiError(`No route for ${req.method} ${path}.`, 'not_found'), tag);
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(record(req, body));
      route(req, res, body).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    name: opts.name,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
