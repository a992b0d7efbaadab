import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { runClosedLoop, runOpenLoop } from '../../../perf/load.js';
import { buildMix } from '../../../perf/mix.js';

// A fake ext_proc server: CONTINUE of the matching kind, optionally switching the response body
// to NONE on response_headers (as semroute does) and answering late; it records what it saw.
function fakeServer(opts: { responseBodyNone: boolean; delayMs: number }) {
  const kinds: string[] = [];
  const server = new grpc.Server();
  server.addService(loadProtos().extProcService, {
    Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
      call.on('data', (req: ProcessingRequest) => {
        const kind = req.request!;
        kinds.push(kind);
        const res: ProcessingResponse = { [kind]: { response: {} } };
        if (kind === 'response_headers' && opts.responseBodyNone) res.mode_override = { request_body_mode: 'BUFFERED', response_body_mode: 'NONE' };
        setTimeout(() => call.write(res), opts.delayMs);
      });
      call.on('end', () => setTimeout(() => call.end(), opts.delayMs));
      call.on('error', () => undefined);
    },
  });
  return {
    kinds,
    start: () => new Promise<string>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(`127.0.0.1:${port}`)))),
    stop: () => new Promise<void>((r) => server.tryShutdown(() => r())),
  };
}

const mix = buildMix({ seed: 1, size: 20 });
const count = (xs: string[], k: string) => xs.filter((x) => x === k).length;

describe('the Envoy-like exchange', () => {
  const plain = fakeServer({ responseBodyNone: false, delayMs: 0 });
  const none = fakeServer({ responseBodyNone: true, delayMs: 0 });
  let plainAddr = '';
  let noneAddr = '';
  beforeAll(async () => {
    plainAddr = await plain.start();
    noneAddr = await none.start();
  });
  afterAll(async () => {
    await plain.stop();
    await none.stop();
  });

  test('sends the response body when the server kept the response body mode', async () => {
    const r = await runClosedLoop({ target: plainAddr, mix, seconds: 0.3, concurrency: 4 });
    expect(r.errors).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    for (const k of ['request_headers', 'request_body', 'response_headers', 'response_body']) expect(count(plain.kinds, k)).toBe(count(plain.kinds, 'request_headers'));
  });

  test('skips it when response_headers answered with mode_override NONE', async () => {
    const r = await runClosedLoop({ target: noneAddr, mix, seconds: 0.3, concurrency: 4 });
    expect(r.errors).toBe(0);
    expect(count(none.kinds, 'response_headers')).toBeGreaterThan(0);
    expect(count(none.kinds, 'response_body')).toBe(0);
  });
});

describe('open loop', () => {
  const slow = fakeServer({ responseBodyNone: true, delayMs: 50 });
  let addr = '';
  beforeAll(async () => {
    addr = await slow.start();
  });
  afterAll(() => slow.stop());

  test('drops (and counts) arrivals beyond the outstanding bound instead of waiting', async () => {
    const r = await runOpenLoop({ target: addr, mix, seconds: 0.5, rate: 200, arrivals: 'uniform', maxOutstanding: 2 });
    expect(r.errors).toBe(0);
    expect(r.dropped).toBeGreaterThan(50);
    expect(r.requests + r.dropped).toBe(100);
  });
});
