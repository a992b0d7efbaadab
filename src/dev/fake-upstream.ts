// A fake OpenAI-compatible vLLM server for the demo and the tests: chat and text completions
// (JSON or SSE), /v1/models, and a /metrics page with vLLM-style gauges. It records every request.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeUpstreamOptions {
  name: string;
  host?: string;
  port: number;
  models?: string[];
  latencyMs?: number;
}

export interface FakeUpstream {
  name: string;
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface CompletionBody {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  messages?: Array<{ role?: unknown; content?: unknown }>;
  prompt?: unknown;
}

function lastUserText(b: CompletionBody): string {
  if (typeof b.prompt === 'string') return b.prompt;
  const users = (b.messages ?? []).filter((m) => m.role === 'user');
  const c = users[users.length - 1]?.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join(' ');
  return '';
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

export async function startFakeUpstream(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const models = opts.models ?? [opts.name];
  const tag = { 'x-upstream': opts.name };
  let running = 0;
  let seq = 0;

  async function completion(res: ServerResponse, raw: string, chat: boolean): Promise<void> {
    let b: CompletionBody;
    try {
      b = JSON.parse(raw) as CompletionBody;
    } catch {
      sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', param: null, code: 'invalid_json' } }, tag);
      return;
    }
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const model = typeof b.model === 'string' ? b.model : models[0]!;
    const content = `[${opts.name}] ${model}: ${lastUserText(b).slice(0, 200)}`;
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${opts.name}-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const object = chat ? 'chat.completion' : 'text_completion';

    if (b.stream !== true) {
      const choice = chat
        ? { index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }
        : { index: 0, text: content, finish_reason: 'stop' };
      sendJson(res, 200, { id, object, created, model, choices: [choice], usage }, tag);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...tag });
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      created,
      model,
      choices: [chat ? { index: 0, delta, finish_reason: finish } : { index: 0, text: delta.content ?? '', finish_reason: finish }],
    });
    const events: unknown[] = [];
    if (chat) events.push(chunk({ role: 'assistant', content: '' }, null));
    const third = Math.ceil(content.length / 3);
    for (let i = 0; i < content.length; i += third) events.push(chunk({ content: content.slice(i, i + third) }, null));
    events.push(chunk({}, 'stop'));
    if (b.stream_options?.include_usage === true) events.push({ id, object: `${object}.chunk`, created, model, choices: [], usage });
    // Write events split at odd places so that consumers must reassemble across chunk boundaries.
    const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
    for (let i = 0; i < text.length; i += 97) {
      res.write(text.slice(i, i + 97));
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      requests.push({ method: req.method ?? 'GET', path, headers, body });
      running++;
      const done = () => running--;
      res.on('close', done);
      if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions')) {
        completion(res, body, path === '/v1/chat/completions').catch(() => res.destroy());
      } else if (req.method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'vllm' })) }, tag);
      } else if (req.method === 'GET' && path === '/metrics') {
        const lines = models.flatMap((m) => [
          `vllm:num_requests_running{model_name="${m}"} ${running - 1}`,
          `vllm:num_requests_waiting{model_name="${m}"} 0`,
          `vllm:gpu_cache_usage_perc{model_name="${m}"} 0.0`,
        ]);
        const text = ['# TYPE vllm:num_requests_running gauge', '# TYPE vllm:num_requests_waiting gauge', '# TYPE vllm:gpu_cache_usage_perc gauge', ...lines, ''].join('\n');
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', ...tag });
        res.end(text);
      } else if (req.method === 'GET' && path === '/health') {
        res.writeHead(200, tag);
        res.end();
      } else {
        sendJson(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: 'not_found' } }, tag);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: opts.name,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
