// Request ids: Envoy's is kept when usable; otherwise semroute makes one and routed requests carry
// it upstream. A pass-through request still gets no header mutation.
import { describe, expect, it } from '@jest/globals';
import { ExtProcStream } from '../../../src/extproc/stream.js';
import type { ProcessingResponse } from '../../../src/extproc/wire.js';
import { requestIdOf } from '../../../src/pipeline/request-id.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, setHeaders } from '../../helpers/wire.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it('keeps a usable id', () => {
    expect(requestIdOf(new Map([['x-request-id', ' 3f2a-b7:c/d+e=']]))).toEqual({ id: '3f2a-b7:c/d+e=', generated: false });
  });
  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['over 128 characters', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with quotes', '"x"'],
    ['with a control character', 'a\u0001b'],
  ])('makes a new one when it is %s', (_name, sent) => {
    const r = requestIdOf(new Map(sent === undefined ? [] : [['x-request-id', sent]]));
    expect(r.generated).toBe(true);
    expect(r.id).toMatch(UUID);
  });
});

describe('a stream without a usable request id', () => {
  const run = async (headers: Record<string, string>, body?: string) => {
    const written: ProcessingResponse[] = [];
    const logger = new RecordingLogger();
    const stream = new ExtProcStream({ snapshot: new RoutingSnapshot(testConfig()), metrics: new RecordingMetrics(), logger }, { write: (r) => written.push(r), end: () => undefined });
    stream.push(requestHeaders(headers));
    if (body !== undefined) stream.push(requestBody(body));
    await stream.idle();
    return written;
  };
  const withoutId: Record<string, string> = { ...chatHeaders };
  delete withoutId['x-request-id'];

  it('sends the id it made upstream with the routing headers', async () => {
    const [h, b] = await run(withoutId, JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }));
    expect(setHeaders(commonOf(h!)?.header_mutation)).toEqual([]);
    const set = new Map(setHeaders(commonOf(b!)!.header_mutation));
    expect(set.get('x-semroute-model')).toBe('small');
    expect(set.get('x-request-id')).toMatch(UUID);
  });

  it('leaves a usable one alone', async () => {
    const [, b] = await run(chatHeaders, JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }));
    expect(new Map(setHeaders(commonOf(b!)!.header_mutation)).has('x-request-id')).toBe(false);
  });

  it('adds no header mutation to a request it passes through', async () => {
    const [h] = await run({ ':method': 'GET', ':path': '/health', ':authority': 'gw' });
    expect(commonOf(h!)?.header_mutation).toBeUndefined();
  });
});
