// Builders for ext_proc messages as Envoy sends them, and readers for the answers.
import type { HeaderMutation, ProcessingRequest, ProcessingResponse } from '../../src/extproc/wire.js';

export function requestHeaders(h: Record<string, string>, endOfStream = false): ProcessingRequest {
  return {
    request: 'request_headers',
    request_headers: {
      headers: { headers: Object.entries(h).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })) },
      end_of_stream: endOfStream,
    },
  };
}

export function requestBody(body: string | Buffer, endOfStream = true): ProcessingRequest {
  return { request: 'request_body', request_body: { body: Buffer.from(body), end_of_stream: endOfStream } };
}

export function responseHeaders(h: Record<string, string>): ProcessingRequest {
  return {
    request: 'response_headers',
    response_headers: { headers: { headers: Object.entries(h).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })) } },
  };
}

export const chatHeaders = {
  ':method': 'POST',
  ':path': '/v1/chat/completions',
  ':authority': 'gw',
  ':scheme': 'http',
  'content-type': 'application/json',
  // Envoy's connection manager adds one to every request (generate_request_id defaults to true).
  'x-request-id': 'b7ad6b7169203331',
};

/** The kind of an answer (proto-loader's oneof discriminator, or the set field when built locally). */
export function kindOf(res: ProcessingResponse): string {
  return (
    res.response ??
    (Object.keys(res).find((k) => !['dynamic_metadata', 'mode_override', 'override_message_timeout'].includes(k)) as string)
  );
}

/** Header mutation set pairs as [key, value-from-raw_value], with the append flag checked. */
export function setHeaders(m: HeaderMutation | undefined): Array<[string, string]> {
  return (m?.set_headers ?? []).map((o) => {
    if (o.append?.value !== false) throw new Error(`header ${o.header.key} without append=false`);
    if (o.header.value) throw new Error(`header ${o.header.key} sets value (Envoy reads raw_value only)`);
    return [o.header.key, o.header.raw_value?.toString() ?? ''];
  });
}

export function commonOf(res: ProcessingResponse) {
  const k = kindOf(res) as 'request_headers' | 'request_body' | 'response_headers' | 'response_body';
  return (res[k])?.response;
}
