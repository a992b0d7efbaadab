// The response direction of Envoy's ext_proc filter (encodeHeaders / encodeData), ending in the
// bytes written to the client. Used for upstream responses and for router local replies alike.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Exchange } from './exchange.js';
import type { HeaderTable } from './header-mutation.js';
import { firstValue, outgoingHeaders, toHeaderMap } from './headers.js';
import { ClientGone, responseTooLarge } from './local-reply.js';
import { applyBufferedAnswer, applyHeadersAnswer, duplexAnswers, streamedChunk } from './request-phase.js';

export interface UpstreamResponse {
  /** Response headers including :status. */
  headers: HeaderTable;
  body: Readable;
  /** Envoy's end_stream on the headers: the response has no body (HEAD, 204, 304, content-length 0). */
  endOfStream: boolean;
  /** A router local reply: small, generated here, never over the buffer limit. */
  local?: boolean;
}

const EMPTY = Buffer.alloc(0);

/** Writes with backpressure; fails when the client is gone. */
async function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) throw new ClientGone();
  if (chunk.length === 0) return;
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  if (res.destroyed) throw new ClientGone();
}

/** Writes the status and headers; `flush` sends them now, as Envoy does once it continues them. */
function writeHead(res: ServerResponse, table: HeaderTable, flush = false): number {
  const status = Number(firstValue(table, ':status'));
  res.writeHead(status, outgoingHeaders(table));
  if (flush) res.flushHeaders();
  return status;
}

/** Processes the response and writes it to the client; returns the status sent. */
export async function processResponse(x: Exchange, up: UpstreamResponse, res: ServerResponse): Promise<number> {
  const table = up.headers;
  if (x.processing && x.sendsHeaders('response') && !up.endOfStream && x.bodyMode('response') === 'FULL_DUPLEX_STREAMED') return fullDuplex(x, up, res);
  let replaced: Buffer | undefined;
  const dropLength = x.processing && x.dropsContentLength('response');
  if (x.processing && x.sendsHeaders('response')) {
    const ask = x.ask({ response_headers: { headers: toHeaderMap(table), end_of_stream: up.endOfStream } }, 'response_headers');
    if (dropLength) table.delete('content-length');
    const c = (await ask)?.response_headers?.response;
    if (c) replaced = applyHeadersAnswer(x, c, table, 'response');
  } else if (dropLength) {
    table.delete('content-length');
  }

  if (replaced !== undefined) {
    up.body.resume();
    const status = writeHead(res, table);
    res.end(replaced);
    return status;
  }
  const mode = x.bodyMode('response');
  if (up.endOfStream || !x.processing || mode === 'NONE' || mode === 'GRPC') {
    const status = writeHead(res, table, !up.endOfStream);
    for await (const chunk of up.body as AsyncIterable<Buffer>) await write(res, chunk);
    res.end();
    return status;
  }
  if (mode === 'STREAMED' || mode === 'FULL_DUPLEX_STREAMED') return streamed(x, up, table, res);
  return buffered(x, up, table, res);
}

/**
 * STREAMED, pipelined as Envoy's filter does it (ext_proc.cc onData: each chunk is sent to the
 * processor as it arrives and kept in a queue until its answer comes back, in order; past the
 * buffer limit the queue raises a watermark, here: the upstream is read no further until it drains).
 * Each answer replaces or keeps its own chunk. Response headers were already sent to the client, so
 * answers cannot change them. Once processing ends (the processor closed the stream), the queued
 * and later chunks pass through unchanged.
 */
async function streamed(x: Exchange, up: UpstreamResponse, table: HeaderTable, res: ServerResponse): Promise<number> {
  const status = writeHead(res, table, true);
  const queue: Array<{ chunk: Buffer; posted: boolean; last: boolean }> = [];
  let queuedBytes = 0;
  let wakeConsumer: (() => void) | undefined;
  let wakePump: (() => void) | undefined;
  let stopped = false;
  const enqueue = (chunk: Buffer, last: boolean) => {
    const posted = x.post({ response_body: { body: chunk, end_of_stream: last } }, 'response_body');
    queue.push({ chunk, posted, last });
    queuedBytes += chunk.length;
    wakeConsumer?.();
  };
  // The upstream body's failure (a reset mid-answer), handed to the writer in order.
  let failed: { error: unknown } | undefined;
  void (async () => {
    try {
      for await (const chunk of up.body as AsyncIterable<Buffer>) {
        if (stopped) return;
        enqueue(chunk, false);
        while (queuedBytes > x.maxBodyBytes && !stopped) await new Promise<void>((r) => (wakePump = r));
      }
      if (!stopped) enqueue(EMPTY, true);
    } catch (error) {
      failed = { error };
      wakeConsumer?.();
    }
  })();
  let processing = true;
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failed) throw failed.error;
        await new Promise<void>((r) => (wakeConsumer = r));
      }
      const item = queue.shift()!;
      queuedBytes -= item.chunk.length;
      wakePump?.();
      let out = item.chunk;
      if (item.posted && processing) {
        const a = await x.next('response_body');
        if (!a) processing = false;
        out = streamedChunk(a?.response_body?.response, item.chunk);
      }
      await write(res, out);
      if (item.last) break;
    }
  } catch (e) {
    stopped = true;
    wakePump?.();
    up.body.destroy();
    throw e;
  }
  res.end();
  return status;
}

/** The whole body (bounded by the buffer limit: Envoy answers 500 on overflow) in one message;
 * headers are held until its answer, which may still change them. */
async function buffered(x: Exchange, up: UpstreamResponse, table: HeaderTable, res: ServerResponse): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of up.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > x.maxBodyBytes && !up.local) {
      up.body.destroy();
      x.session.close();
      throw x.fail(responseTooLarge());
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks, size);
  const a = await x.ask({ response_body: { body, end_of_stream: true } }, 'response_body');
  const c = a?.response_body?.response;
  const out = c ? applyBufferedAnswer(x, c, table, 'response', body, x.bodyMode('response') === 'BUFFERED') : body;
  const status = writeHead(res, table);
  res.end(out);
  return status;
}

/** FULL_DUPLEX_STREAMED: as for the request (request-phase.ts); the headers wait for their answer. */
async function fullDuplex(x: Exchange, up: UpstreamResponse, res: ServerResponse): Promise<number> {
  const table = up.headers;
  x.post({ response_headers: { headers: toHeaderMap(table), end_of_stream: false } }, 'response_headers');
  table.delete('content-length');
  const pump = (async () => {
    for await (const chunk of up.body as AsyncIterable<Buffer>) if (!x.post({ response_body: { body: chunk, end_of_stream: false } }, 'response_body')) return;
    x.post({ response_body: { body: EMPTY, end_of_stream: true } }, 'response_body');
  })();
  pump.catch(() => undefined);
  const c = (await x.next('response_headers'))?.response_headers?.response;
  if (c) {
    const replaced = applyHeadersAnswer(x, c, table, 'response');
    if (replaced !== undefined) {
      const status = writeHead(res, table);
      res.end(replaced);
      return status;
    }
  }
  const status = writeHead(res, table, true);
  if (!x.processing) {
    for await (const chunk of up.body as AsyncIterable<Buffer>) await write(res, chunk);
  } else {
    for await (const chunk of duplexAnswers(x, 'response_body')) await write(res, chunk);
  }
  res.end();
  return status;
}
