// The only place that builds ProcessingResponses. Everything above returns neutral outcomes
// (pipeline/outcome.ts); this file applies Envoy's rules to them:
// - header values go in raw_value only (Envoy 1.27+ reads nothing else; value+raw_value is a 500),
// - `append` is always set explicitly (the filter ignores append_action),
// - clear_route_cache rides in the same CommonResponse as the header mutation (else it is ignored),
// - a rewritten body carries its exact content-length, or Envoy fails the request (length mismatch).
import { ENDPOINT_HEADER } from '../pipeline/headers.js';
import type { HeaderEdit, HeaderPair, Reply } from '../pipeline/outcome.js';
import type {
  BodySendMode,
  CommonResponse,
  HeaderMutation,
  HeaderValueOption,
  ProcessingMode,
  ProcessingResponse,
} from './wire.js';

export type HeadersKind = 'request_headers' | 'response_headers';
export type BodyKind = 'request_body' | 'response_body';
export type TrailersKind = 'request_trailers' | 'response_trailers';

export function headerOption(name: string, value: string): HeaderValueOption {
  return { header: { key: name, raw_value: Buffer.from(value, 'utf8') }, append: { value: false } };
}

function headerMutation(set: readonly HeaderPair[], remove: readonly string[]): HeaderMutation | undefined {
  if (set.length === 0 && remove.length === 0) return undefined;
  const m: HeaderMutation = {};
  if (set.length > 0) m.set_headers = set.map(([k, v]) => headerOption(k, v));
  if (remove.length > 0) m.remove_headers = [...remove];
  return m;
}

/** A CommonResponse for an edit; clear_route_cache only with a mutation, where Envoy honours it. */
function common(edit: HeaderEdit | undefined, clearRouteCache: boolean): CommonResponse {
  const mutation = edit ? headerMutation(edit.set, edit.remove) : undefined;
  const res: CommonResponse = {};
  if (mutation) {
    res.header_mutation = mutation;
    if (clearRouteCache) res.clear_route_cache = true;
  }
  return res;
}

export function headersResponse(
  kind: HeadersKind,
  edit?: HeaderEdit,
  opts: { clearRouteCache?: boolean; modeOverride?: ProcessingMode } = {},
): ProcessingResponse {
  const res: ProcessingResponse = { [kind]: { response: common(edit, opts.clearRouteCache ?? false) } };
  if (opts.modeOverride) res.mode_override = opts.modeOverride;
  return res;
}

/**
 * A body answer. `body` undefined leaves the bytes alone; a Buffer replaces them and sets
 * content-length to its exact size (Envoy already forwarded the headers answer with the old one).
 */
export function bodyResponse(
  kind: BodyKind,
  edit?: HeaderEdit,
  opts: { body?: Buffer | undefined; clear?: boolean; clearRouteCache?: boolean; setContentLength?: boolean } = {},
): ProcessingResponse {
  let e = edit;
  if (opts.body && opts.setContentLength !== false) {
    e = { set: [...(edit?.set ?? []), ['content-length', String(opts.body.length)]], remove: edit?.remove ?? [] };
  }
  const c = common(e, opts.clearRouteCache ?? false);
  if (opts.body) c.body_mutation = { body: opts.body };
  else if (opts.clear) c.body_mutation = { clear_body: true };
  return { [kind]: { response: c } };
}

/**
 * A FULL_DUPLEX_STREAMED body answer: these bytes go on (Envoy forwards only what the processor
 * hands back in this mode), with end_of_stream on the last.
 */
export function duplexBody(kind: BodyKind, body: Buffer | undefined, endOfStream: boolean): ProcessingResponse {
  return { [kind]: { response: { body_mutation: { streamed_response: { body: body ?? Buffer.alloc(0), end_of_stream: endOfStream } } } } };
}

export function trailersResponse(kind: TrailersKind): ProcessingResponse {
  return { [kind]: {} };
}

export function immediateResponse(reply: Pick<Reply, 'status' | 'headers' | 'body'>, details?: string): ProcessingResponse {
  const res: ProcessingResponse = {
    immediate_response: {
      status: { code: reply.status },
      body: reply.body,
    },
  };
  const headers = headerMutation(reply.headers, []);
  if (headers) res.immediate_response!.headers = headers;
  if (details) res.immediate_response!.details = details;
  return res;
}

/**
 * mode_override for a headers answer. Envoy reads an unset body mode as NONE, so both body modes
 * are always written out.
 */
export function modeOverride(requestBody: BodySendMode, responseBody: BodySendMode): ProcessingMode {
  return { request_body_mode: requestBody, response_body_mode: responseBody };
}

/**
 * The endpoint-picker protocol's metadata: namespace envoy.lb, key x-gateway-destination-endpoint
 * (a google.protobuf.Struct). protobufjs defines Struct from its bundled well-known types, whose
 * field names are camelCase whatever keepCase says (struct_value would be dropped silently).
 * Envoy keeps the metadata only when the filter lists envoy.lb under
 * metadata_options.receiving_namespaces.
 */
export function endpointMetadata(endpoint: string): NonNullable<ProcessingResponse['dynamic_metadata']> {
  return { fields: { 'envoy.lb': { structValue: { fields: { [ENDPOINT_HEADER]: { stringValue: endpoint } } } } } };
}
