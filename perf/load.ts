// A closed-loop ext_proc load generator that speaks to a server exactly as Envoy does for one
// routed request: request_headers → buffered request_body → response_headers, one stream each.
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../src/extproc/wire.js';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Per-request latency, ms, sorted. */
  latencies: Float64Array;
}

const hdr = (h: Record<string, string>) => ({
  headers: Object.entries(h).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })),
});

export function requestMix(): Buffer[] {
  const prompts = [
    'What is the capital of France?',
    'Why does this python function raise a KeyError when the dict is empty?',
    'Summarise the plot of Hamlet in two sentences.',
    `Please review this code:\n${'const x = compute(a, b);\n'.repeat(40)}`,
    'Translate "good morning" into German, urgent please.',
    `${'Long context paragraph about distributed systems and consensus. '.repeat(200)}What is Raft?`,
  ];
  return prompts.map((p, i) =>
    Buffer.from(JSON.stringify({ model: 'auto', stream: i % 2 === 0, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: p }] })),
  );
}

function oneRequest(client: grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> }, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = client.Process();
    const msgs: ProcessingRequest[] = [
      {
        request_headers: {
          headers: hdr({ ':method': 'POST', ':path': '/v1/chat/completions', ':authority': 'gw', ':scheme': 'http', 'content-type': 'application/json', 'content-length': String(body.length) }),
        },
      },
      { request_body: { body, end_of_stream: true } },
      { response_headers: { headers: hdr({ ':status': '200', 'content-type': 'application/json' }) } },
    ];
    let i = 0;
    call.write(msgs[i]!);
    call.on('data', (res: ProcessingResponse) => {
      if (res.response === 'immediate_response') return reject(new Error('unexpected immediate response'));
      i++;
      if (i < msgs.length) call.write(msgs[i]!);
      else call.end();
    });
    call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK && i === msgs.length ? resolve() : reject(new Error(s.details))));
    call.on('error', () => undefined);
  });
}

export async function runClosedLoop(target: string, concurrency: number, seconds: number, bodies: Buffer[]): Promise<LoadResult> {
  const { ExternalProcessorClient } = loadProtos();
  const client = new ExternalProcessorClient(target, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  }) as never as grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const body = bodies[n++ % bodies.length]!;
      const t0 = performance.now();
      try {
        await oneRequest(client, body);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  client.close();
  return { requests: latencies.length, errors, seconds: elapsed, latencies: Float64Array.from(latencies).sort() };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
