// One request's ext_proc exchange, as Envoy runs it with request body BUFFERED, response body
// BUFFERED and allow_mode_override: request_headers → request_body → response_headers →
// response_body, the last only when no answer switched the response body mode to NONE; an
// immediate response (cache hit, block) ends it early.
import * as grpc from '@grpc/grpc-js';
import type { BodySendMode, ProcessingRequest, ProcessingResponse } from '../src/extproc/wire.js';
import type { MixItem } from './mix.js';

export type ExtProcClient = grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };

const hdr = (h: Record<string, string>) => ({
  headers: Object.entries(h).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })),
});

const JSON_ANSWER = Buffer.from(JSON.stringify({ id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(600) }, finish_reason: 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 150, total_tokens: 250 } }));
const SSE_ANSWER = Buffer.from(
  `${Array.from({ length: 20 }, (_, i) => `data: {"choices":[{"index":0,"delta":{"content":"token${i} "}}]}\n\n`).join('')}` +
    'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
);

export function messages(item: MixItem): { first: ProcessingRequest[]; responseBody: ProcessingRequest } {
  const first: ProcessingRequest[] = [
    {
      request_headers: {
        headers: hdr({ ':method': 'POST', ':path': item.path, ':authority': 'gw', ':scheme': 'http', 'content-type': 'application/json', 'content-length': String(item.body.length), 'x-request-id': 'perf' }),
      },
      protocol_config: { request_body_mode: 'BUFFERED', response_body_mode: 'BUFFERED' },
    },
    { request_body: { body: item.body, end_of_stream: true } },
    { response_headers: { headers: hdr({ ':status': '200', 'content-type': item.stream ? 'text/event-stream' : 'application/json' }) } },
  ];
  return { first, responseBody: { response_body: { body: item.stream ? SSE_ANSWER : JSON_ANSWER, end_of_stream: true } } };
}

const KINDS = ['request_headers', 'request_body', 'response_headers', 'response_body'] as const;
export const kindOf = (m: ProcessingRequest) => KINDS.find((k) => m[k] !== undefined);

/** Resolves when the server answered every message and closed the stream with OK. */
export function exchange(client: ExtProcClient, item: MixItem): Promise<void> {
  return new Promise((resolve, reject) => {
    const { first, responseBody } = messages(item);
    const plan = [...first];
    let responseMode: BodySendMode = 'BUFFERED';
    let i = 0;
    const call = client.Process();
    call.on('data', (res: ProcessingResponse) => {
      const kind = res.response;
      if (kind === 'immediate_response') {
        // Answered by semroute itself (a cache hit, a block): Envoy ends the exchange here.
        plan.length = i;
        call.end();
        return;
      }
      const expected = plan[i] ? kindOf(plan[i]!) : undefined;
      if (!kind || kind !== expected) {
        call.cancel();
        reject(new Error(`unexpected ${kind ?? 'empty'} answer to ${expected ?? 'nothing'}`));
        return;
      }
      const m = res.mode_override?.response_body_mode;
      if (m && kind.endsWith('_headers')) responseMode = m;
      i++;
      if (i === plan.length && plan.length === first.length && responseMode !== 'NONE') plan.push(responseBody);
      if (i < plan.length) call.write(plan[i]!);
      else call.end();
    });
    call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK && i === plan.length ? resolve() : reject(new Error(s.details || `ended after ${i} answers`))));
    call.on('error', () => undefined);
    call.write(plan[0]!);
  });
}
