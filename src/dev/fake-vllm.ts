// A fake vLLM server over the engine model (vllm-engine.ts): POST /v1/chat/completions (JSON, or
// SSE with the first token sent when prefill ends, so a client measures TTFT), GET /metrics with
// vLLM's names (num_requests_waiting/running, kv_cache_usage_perc, cache_config_info,
// lora_requests_info, prefix_cache_queries/hits), GET /v1/models. Metrics can be overridden by a
// test (`override`) to drive the picker.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ENGINE, VllmEngine, type EngineModel } from './vllm-engine.js';

export interface FakeVllmOptions {
  name: string;
  port?: number;
  engine?: Partial<EngineModel>;
  /** LoRA adapters reported as running. */
  adapters?: string[];
}

export interface FakeVllm {
  name: string;
  address: string;
  engine: VllmEngine;
  /** Requests received (for assertions). */
  received: number;
  /** The x-gateway-destination-endpoint header of the last request received. */
  lastDestination: string | undefined;
  /** Replace reported gauges (undefined: the engine's own); `broken` answers /metrics with 500. */
  override: { waiting?: number; running?: number; kvUsage?: number; broken?: boolean };
  close(): Promise<void>;
}

function promptOf(body: { messages?: { role?: string; content?: unknown }[] }): string {
  return (body.messages ?? []).map((m) => `<${m.role ?? 'user'}>${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}\n`).join('');
}

export async function startFakeVllm(opts: FakeVllmOptions): Promise<FakeVllm> {
  const engine = new VllmEngine({ ...DEFAULT_ENGINE, ...opts.engine });
  const fake: Omit<FakeVllm, 'address' | 'close'> = { name: opts.name, engine, received: 0, lastDestination: undefined, override: {} };
  const tag = { 'x-upstream': opts.name };

  function metrics(res: ServerResponse): void {
    if (fake.override.broken) {
      res.writeHead(500, tag);
      res.end('engine error');
      return;
    }
    const m = engine.metrics();
    const o = fake.override;
    const l = `model_name="${opts.name}"`;
    const text = [
      '# TYPE vllm:num_requests_waiting gauge',
      `vllm:num_requests_waiting{${l}} ${o.waiting ?? m.waiting}`,
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{${l}} ${o.running ?? m.running}`,
      '# TYPE vllm:kv_cache_usage_perc gauge',
      `vllm:kv_cache_usage_perc{${l}} ${o.kvUsage ?? m.kvUsage}`,
      '# TYPE vllm:cache_config_info gauge',
      `vllm:cache_config_info{block_size="${engine.model.blockTokens}",num_gpu_blocks="${engine.model.kvBlocks}"} 1.0`,
      '# TYPE vllm:lora_requests_info gauge',
      `vllm:lora_requests_info{max_lora="4",running_lora_adapters="${(opts.adapters ?? []).join(',')}",waiting_lora_adapters=""} 1.0`,
      '# TYPE vllm:prefix_cache_queries counter',
      `vllm:prefix_cache_queries_total{${l}} ${engine.queries}`,
      '# TYPE vllm:prefix_cache_hits counter',
      `vllm:prefix_cache_hits_total{${l}} ${engine.hits}`,
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', ...tag });
    res.end(text);
  }

  function chat(res: ServerResponse, raw: string): void {
    let body: { messages?: { role?: string; content?: unknown }[]; max_tokens?: number; stream?: boolean; model?: string };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json', ...tag });
      res.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error' } }));
      return;
    }
    fake.received++;
    const out = Math.max(1, Math.min(4096, body.max_tokens ?? 64));
    const id = `chatcmpl-${opts.name}-${fake.received}`;
    const chunk = (delta: Record<string, unknown>, finish: string | null) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const seq = {
      cachedTokens: 0,
      onFirstToken: () => {
        if (!body.stream) return;
        res.writeHead(200, { 'content-type': 'text/event-stream', ...tag });
        res.write(chunk({ role: 'assistant', content: 'x' }, null));
      },
      onDone: () => {
        const usage = { prompt_tokens: 0, completion_tokens: out, prompt_tokens_details: { cached_tokens: seq.cachedTokens } };
        if (body.stream) {
          res.end(`${chunk({ content: ' done' }, 'stop')}data: [DONE]\n\n`);
          return;
        }
        const json = JSON.stringify({ id, object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'x done' }, finish_reason: 'stop' }], usage });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...tag });
        res.end(json);
      },
    };
    const cancel = engine.submit(promptOf(body), out, seq);
    res.on('close', () => {
      if (!res.writableFinished) cancel();
    });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') metrics(res);
      else if (req.method === 'POST' && path === '/v1/chat/completions') {
        const d = req.headers['x-gateway-destination-endpoint'];
        fake.lastDestination = typeof d === 'string' ? d : undefined;
        chat(res, Buffer.concat(chunks).toString('utf8'));
      }
      else if (req.method === 'GET' && path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json', ...tag });
        res.end(JSON.stringify({ object: 'list', data: [{ id: opts.name, object: 'model' }] }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json', ...tag });
        res.end(JSON.stringify({ error: { message: `No route for ${req.method} ${path}`, type: 'not_found' } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        engine.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
