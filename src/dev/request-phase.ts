// The request direction of Envoy's ext_proc filter (decodeHeaders / decodeData): the headers
// message, then the body per request_body_mode. Returns what to forward upstream, or a local reply
// that the router would make (413 when a BUFFERED body overflows the buffer limit).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { BodyMutation, CommonResponse } from '../extproc/wire.js';
import type { Direction, Exchange } from './exchange.js';
import type { HeaderTable } from './header-mutation.js';
import { firstValue, toHeaderMap } from './headers.js';
import { extProcError, payloadTooLarge, type LocalReply } from './local-reply.js';

export type RequestOutcome = { kind: 'forward'; body: Buffer | Readable | null } | { kind: 'local'; reply: LocalReply };

const EMPTY = Buffer.alloc(0);

/** The client's body chunks; leaving early does not destroy the request (that would kill the socket). */
function clientChunks(req: IncomingMessage): AsyncIterableIterator<Buffer> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
}

function mutatedBody(m: BodyMutation, original: Buffer): Buffer {
  if (m.body !== undefined && m.mutation !== 'clear_body' && m.mutation !== 'streamed_response') return m.body;
  if (m.clear_body) return EMPTY;
  return original;
}

/** A streamed chunk after its answer: Envoy applies body / clear_body to that chunk only. */
export function streamedChunk(c: CommonResponse | undefined, chunk: Buffer): Buffer {
  return c?.body_mutation ? mutatedBody(c.body_mutation, chunk) : chunk;
}

/**
 * Applies a headers answer (HeadersResponse.response). With CONTINUE_AND_REPLACE Envoy replaces the
 * whole body with the answer's body mutation, drops content-length, and sends no more body
 * messages in that direction. Returns the replacement body, if any.
 */
export function applyHeadersAnswer(x: Exchange, c: CommonResponse, table: HeaderTable, dir: Direction): Buffer | undefined {
  const replacing = c.status === 'CONTINUE_AND_REPLACE';
  if (c.header_mutation) x.mutate(table, c.header_mutation, dir, replacing);
  if (dir === 'request') x.rerouteIfCleared(c);
  if (!replacing) return undefined;
  x.stopBody(dir);
  if (!c.body_mutation) return undefined;
  table.delete('content-length');
  return mutatedBody(c.body_mutation, EMPTY);
}

/**
 * Envoy's BUFFERED body answer while it still holds the headers: the header mutation applies, and a
 * body mutation must agree with a content-length still present, or the request fails with 500
 * ("mismatch between content length and the length of the mutated body").
 */
export function applyBufferedAnswer(x: Exchange, c: CommonResponse, table: HeaderTable, dir: Direction, body: Buffer, checkLength: boolean): Buffer {
  const held = x.headersSent[dir];
  if (c.header_mutation && held) x.mutate(table, c.header_mutation, dir);
  let out = body;
  if (c.body_mutation) {
    const cl = held && checkLength ? firstValue(table, 'content-length') : undefined;
    const expected = c.body_mutation.body?.length ?? 0;
    if (cl !== undefined && /^\d+$/.test(cl) && Number(cl) !== expected) {
      x.session.close();
      throw x.fail(extProcError(500, `ext_proc_error: mismatch between content length (${cl}) and the length of the mutated body (${expected})`));
    }
    out = mutatedBody(c.body_mutation, body);
  }
  if (dir === 'request') x.rerouteIfCleared(c);
  return out;
}

export async function processRequest(x: Exchange, req: IncomingMessage): Promise<RequestOutcome> {
  if (x.processing && x.sendsHeaders('request') && x.hasBody && x.bodyMode('request') === 'FULL_DUPLEX_STREAMED') return fullDuplex(x, req);
  let replaced: Buffer | undefined;
  // decodeHeaders: send the headers, then (before any answer) drop content-length if the body
  // mode in force may change the body's length.
  const dropLength = x.processing && x.dropsContentLength('request');
  if (x.processing && x.sendsHeaders('request')) {
    const ask = x.ask({ request_headers: { headers: toHeaderMap(x.headers), end_of_stream: !x.hasBody } }, 'request_headers');
    if (dropLength) x.headers.delete('content-length');
    const c = (await ask)?.request_headers?.response;
    if (c) replaced = applyHeadersAnswer(x, c, x.headers, 'request');
  } else if (dropLength) {
    x.headers.delete('content-length');
  }

  if (replaced !== undefined) {
    req.resume();
    return { kind: 'forward', body: replaced };
  }
  if (!x.hasBody) return { kind: 'forward', body: null };
  const mode = x.bodyMode('request');
  if (x.processing && (mode === 'STREAMED' || mode === 'FULL_DUPLEX_STREAMED')) {
    return { kind: 'forward', body: Readable.from(streamed(x, req)) };
  }
  if (x.processing && (mode === 'BUFFERED' || mode === 'BUFFERED_PARTIAL')) return buffered(x, req, mode === 'BUFFERED_PARTIAL');
  return { kind: 'forward', body: Readable.from(clientChunks(req)) };
}

/** STREAMED: each chunk goes out as it arrives and is forwarded once answered; then an empty
 * end_of_stream message, as Envoy's HTTP/1 codec ends a body. Headers were already forwarded, so
 * body answers cannot change headers or the route. */
async function* streamed(x: Exchange, req: IncomingMessage): AsyncGenerator<Buffer> {
  for await (const chunk of clientChunks(req)) {
    const a = await x.ask({ request_body: { body: chunk, end_of_stream: false } }, 'request_body');
    const out = streamedChunk(a?.request_body?.response, chunk);
    if (out.length > 0) yield out;
  }
  const a = await x.ask({ request_body: { body: EMPTY, end_of_stream: true } }, 'request_body');
  const tail = streamedChunk(a?.request_body?.response, EMPTY);
  if (tail.length > 0) yield tail;
}

/** BUFFERED: the whole body (up to the buffer limit) in one message. BUFFERED_PARTIAL: what fits,
 * without end_of_stream when it did not all fit; the rest follows unprocessed. */
async function buffered(x: Exchange, req: IncomingMessage, partial: boolean): Promise<RequestOutcome> {
  const it = clientChunks(req);
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  for (;;) {
    const n = await x.guard(it.next());
    if (n.done) break;
    chunks.push(n.value);
    size += n.value.length;
    if (size > x.maxBodyBytes) {
      overflow = true;
      break;
    }
  }
  if (overflow && !partial) {
    await it.return?.();
    req.resume();
    return { kind: 'local', reply: payloadTooLarge() };
  }
  const body = Buffer.concat(chunks, size);
  const a = await x.ask({ request_body: { body, end_of_stream: !overflow } }, 'request_body');
  const c = a?.request_body?.response;
  const out = c ? applyBufferedAnswer(x, c, x.headers, 'request', body, !partial) : body;
  if (!overflow) return { kind: 'forward', body: out };
  return {
    kind: 'forward',
    body: Readable.from(
      (async function* () {
        yield out;
        yield* it;
      })(),
    ),
  };
}

/**
 * FULL_DUPLEX_STREAMED (Envoy's decodeHeaders/decodeData in that mode): the headers and every body
 * chunk go out as they come, without waiting; content-length is dropped; the headers are held until
 * their answer (whose mutations and clear_route_cache still choose the route); then only the bytes
 * the processor hands back in streamed_response answers go upstream, until one has end_of_stream.
 */
async function fullDuplex(x: Exchange, req: IncomingMessage): Promise<RequestOutcome> {
  x.post({ request_headers: { headers: toHeaderMap(x.headers), end_of_stream: false } }, 'request_headers');
  x.headers.delete('content-length');
  // The client's body is pumped to the processor while its answers are read.
  const pump = (async () => {
    for await (const chunk of clientChunks(req)) if (!x.post({ request_body: { body: chunk, end_of_stream: false } }, 'request_body')) return;
    x.post({ request_body: { body: EMPTY, end_of_stream: true } }, 'request_body');
  })();
  pump.catch(() => undefined);
  const c = (await x.next('request_headers'))?.request_headers?.response;
  if (c) {
    const replaced = applyHeadersAnswer(x, c, x.headers, 'request');
    if (replaced !== undefined) return { kind: 'forward', body: replaced };
  }
  if (!x.processing) return { kind: 'forward', body: Readable.from(clientChunks(req)) };
  return { kind: 'forward', body: Readable.from(duplexAnswers(x, 'request_body')) };
}

/** The bytes a FULL_DUPLEX_STREAMED processor hands back for a direction, until end_of_stream. */
export async function* duplexAnswers(x: Exchange, kind: 'request_body' | 'response_body'): AsyncGenerator<Buffer> {
  for (;;) {
    const a = await x.next(kind);
    if (!a) return;
    const sr = (kind === 'request_body' ? a.request_body : a.response_body)?.response?.body_mutation?.streamed_response;
    if (sr?.body && sr.body.length > 0) yield sr.body;
    if (!sr || sr.end_of_stream) return;
  }
}
