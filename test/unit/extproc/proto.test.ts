import { describe, expect, it } from '@jest/globals';
import { endpointMetadata } from '../../../src/extproc/mutations.js';
import { httpStatusNumber, loadProtos } from '../../../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';

describe('ext_proc proto', () => {
  const { extProcService } = loadProtos();
  const process = extProcService.Process!;

  it('round-trips a headers request with raw_value bytes and the oneof discriminator', () => {
    const req: ProcessingRequest = {
      request_headers: {
        headers: { headers: [{ key: ':path', raw_value: Buffer.from('/v1/chat/completions') }] },
        end_of_stream: false,
      },
    };
    const bytes = process.requestSerialize(req);
    const back = process.requestDeserialize(bytes) as ProcessingRequest;
    expect(back.request).toBe('request_headers');
    expect(back.request_headers?.headers?.headers?.[0]?.raw_value?.toString()).toBe('/v1/chat/completions');
  });

  it('encodes the envoy.lb endpoint metadata as a google.protobuf.Struct (field 8)', () => {
    const res: ProcessingResponse = { request_body: {}, dynamic_metadata: endpointMetadata('10.0.0.7:8000') };
    const bytes = process.responseSerialize(res);
    expect(bytes.includes(Buffer.from('x-gateway-destination-endpoint'))).toBe(true);
    const back = process.responseDeserialize(bytes) as ProcessingResponse;
    expect(back.dynamic_metadata).toMatchObject({
      fields: { 'envoy.lb': { structValue: { fields: { 'x-gateway-destination-endpoint': { stringValue: '10.0.0.7:8000' } } } } },
    });
  });

  it('encodes field numbers as Envoy expects (request_headers = 2, request_body = 4)', () => {
    const hdr = process.requestSerialize({ request_headers: {} });
    const body = process.requestSerialize({ request_body: { body: Buffer.from('x') } });
    // tag byte = field_number << 3 | wire type 2 (length-delimited)
    expect(hdr[0]).toBe((2 << 3) | 2);
    expect(body[0]).toBe((4 << 3) | 2);
  });

  it('round-trips a response with append BoolValue, clear_route_cache and an immediate response', () => {
    const res: ProcessingResponse = {
      request_body: {
        response: {
          header_mutation: {
            set_headers: [{ header: { key: 'x-semroute-model', raw_value: Buffer.from('m') }, append: { value: false } }],
          },
          clear_route_cache: true,
        },
      },
    };
    const back = process.responseDeserialize(process.responseSerialize(res)) as ProcessingResponse;
    expect(back.response).toBe('request_body');
    const opt = back.request_body?.response?.header_mutation?.set_headers?.[0];
    expect(opt?.append).toEqual({ value: false });
    expect(back.request_body?.response?.clear_route_cache).toBe(true);

    const imm = process.responseDeserialize(
      process.responseSerialize({ immediate_response: { status: { code: 'PayloadTooLarge' as never }, body: Buffer.from('{}') } }),
    ) as ProcessingResponse;
    expect(imm.response).toBe('immediate_response');
    expect(imm.immediate_response?.status.code).toBe('PayloadTooLarge');
  });
});

describe('httpStatusNumber', () => {
  it.each([
    ['PayloadTooLarge', 413],
    ['NotFound', 404],
    ['OK', 200],
    [418, 418],
    [undefined, 0],
  ] as const)('%s -> %d', (name, code) => {
    expect(httpStatusNumber(name)).toBe(code);
  });
});
