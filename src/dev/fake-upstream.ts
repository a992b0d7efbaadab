// A fake OpenAI-compatible vLLM server for the demo, the tests and the benchmarks: chat and text
// completions (JSON or SSE), /v1/models, and /metrics with vLLM-style gauges. It records every
// request it receives so that tests can assert what arrived upstream.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionEvents, completionJson, makeCompletion, openAiError, ragged, type CompletionRequest } from './fake-completions.js';

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
  let running = 0;
  let seq = 0;

  async function completion(res: ServerResponse, raw: string, chat: boolean): Promise<void> {
    let b: CompletionRequest;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      b = parsed;
    } catch {
      sendJson(res, 400, openAiError('The request body is not valid JSON.', 'invalid_json'), tag);
      return;
    }
    running++;
    try {
      if (!(await delay(latency, res))) return;
      const c = makeCompletion(opts.name, models[0]!, b, chat, ++seq);
      if (b.stream !== true) {
        sendJson(res, 200, completionJson(c), tag);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...tag });
      // Separate writes on separate ticks, cut across event boundaries.
      for (const piece of ragged(completionEvents(c, b.stream_options?.include_usage === true).join(''), seq)) {
        if (res.destroyed) return;
        res.write(piece);
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    } finally {
      running--;
    }
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
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions')) {
      await completion(res, body, path === '/v1/chat/completions');
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
