// Envoy's router for the gateway: forwards the (mutated) request to the selected upstream over
// keep-alive connections, and turns router local replies into responses that still pass through
// the ext_proc response phase, as Envoy's encoder filter chain does.
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { Agent } from 'undici';
import type { HeaderTable } from './header-mutation.js';
import { firstValue, outgoingHeaders, responseHeaderTable } from './headers.js';
import type { LocalReply } from './local-reply.js';
import type { UpstreamResponse } from './response-phase.js';

/** The response to a router local reply (404 no route, 503 upstream failure, 413 buffer overflow). */
export function localResponse(reply: LocalReply): UpstreamResponse {
  const headers: HeaderTable = new Map([[':status', [String(reply.status)]], ...reply.headers]);
  return { headers, body: ReadableStream.from([reply.body]), endOfStream: reply.body.length === 0, local: true };
}

export class Upstreams {
  // One Agent keeps a keep-alive pool per upstream origin.
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256 });

  /** Forwards :method, :path, :authority (as Host) and the remaining headers with the body. */
  async forward(base: string, headers: HeaderTable, body: Buffer | Readable | null, signal: AbortSignal): Promise<UpstreamResponse> {
    const method = (firstValue(headers, ':method') ?? 'GET').toUpperCase();
    const out = outgoingHeaders(headers);
    const authority = firstValue(headers, ':authority');
    if (authority) out.host = authority;
    const res = await this.agent.request({
      origin: new URL(base).origin,
      path: firstValue(headers, ':path') ?? '/',
      method,
      headers: out,
      body: body ?? (method === 'GET' || method === 'HEAD' ? null : ''),
      signal,
    });
    const cl = res.headers['content-length'];
    const endOfStream = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304 || cl === '0';
    return { headers: responseHeaderTable(res.statusCode, res.headers), body: res.body, endOfStream };
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}
