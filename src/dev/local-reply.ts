// Replies the gateway makes itself, shaped like Envoy's local replies (http/utility.cc
// prepareLocalReply): a non-empty body gets content-length and, when none is set, content-type
// text/plain; an empty body gets neither.
import { httpStatusNumber } from '../extproc/proto.js';
import type { ImmediateResponse } from '../extproc/wire.js';
import { applyHeaderMutation, type HeaderTable } from './header-mutation.js';

/**
 * Who made the reply. Router replies (no route, upstream failure) and the buffer-limit 413 pass
 * through the encoder filter chain, so ext_proc still sees their response headers and body;
 * replies from the ext_proc filter itself (immediate responses, its errors) do not.
 */
export type ReplySource = 'ext_proc' | 'router';

export class LocalReply extends Error {
  readonly headers: HeaderTable;

  constructor(
    readonly status: number,
    headers: HeaderTable,
    readonly body: Buffer,
    readonly source: ReplySource,
    /** Envoy's response code details, for the access log. */
    readonly details: string,
  ) {
    super(`local reply ${status}: ${details}`);
    this.headers = new Map(headers);
    if (body.length > 0) {
      this.headers.set('content-length', [String(body.length)]);
      if (!this.headers.has('content-type')) this.headers.set('content-type', ['text/plain']);
    } else {
      this.headers.delete('content-length');
      this.headers.delete('content-type');
    }
  }
}

/** The client went away: nothing is written, everything is torn down. */
export class ClientGone extends Error {
  constructor() {
    super('client disconnected');
  }
}

function reply(status: number, body: string, contentType: string, source: ReplySource, details: string): LocalReply {
  return new LocalReply(status, new Map([['content-type', [contentType]]]), Buffer.from(body, 'utf8'), source, details);
}

function jsonError(status: number, message: string, code: string, details: string): LocalReply {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code } });
  return reply(status, body, 'application/json', 'router', details);
}

/** Envoy's ImmediateResponse handling: a status below 200 (or unset) becomes 200; the headers go
 * through a permissive checker and a failing header mutation only drops the headers after it. */
export function immediateReply(imm: ImmediateResponse): LocalReply {
  const code = httpStatusNumber(imm.status?.code);
  const status = Number.isInteger(code) && code >= 200 && code <= 999 ? code : 200;
  const headers: HeaderTable = new Map();
  try {
    applyHeaderMutation(headers, imm.headers, { permissive: true });
  } catch {
    // Envoy logs "Immediate response mutations failed" and sends the reply anyway.
  }
  for (const k of [...headers.keys()]) if (k.startsWith(':')) headers.delete(k);
  return new LocalReply(status, headers, imm.body ?? Buffer.alloc(0), 'ext_proc', imm.details || 'ext_proc_immediate_response');
}

/** An ext_proc failure (500 stream error, spurious message or rejected mutation; 504 timeout):
 * Envoy sends an empty-bodied local reply. */
export function extProcError(status: 500 | 504, details: string): LocalReply {
  return new LocalReply(status, new Map(), Buffer.alloc(0), 'ext_proc', details);
}

export function noRoute(path: string): LocalReply {
  return jsonError(404, `no route for ${path}`, 'route_not_found', 'route_not_found');
}

export function upstreamFailure(e: unknown): LocalReply {
  const reason = e instanceof Error ? e.message : String(e);
  // Envoy's UF body.
  const body = `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${reason}`;
  return reply(503, body, 'text/plain', 'router', 'upstream_reset_before_response_started{connection_failure}');
}

export function payloadTooLarge(): LocalReply {
  return reply(413, 'Payload Too Large', 'text/plain', 'router', 'request_payload_too_large');
}

export function responseTooLarge(): LocalReply {
  return reply(500, 'Internal Server Error', 'text/plain', 'ext_proc', 'response_payload_too_large');
}

export function internalError(e: unknown): LocalReply {
  const reason = e instanceof Error ? e.message : String(e);
  return reply(500, `local gateway error: ${reason}`, 'text/plain', 'ext_proc', 'gateway_internal_error');
}
