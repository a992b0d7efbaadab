// Header tables as Envoy's HTTP connection manager presents them to filters: lower-cased names,
// pseudo-headers, hop-by-hop headers removed (Envoy strips them before any filter runs and re-adds
// its own framing), x-forwarded-proto and x-request-id added when absent.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { HeaderMap } from '../extproc/wire.js';
import type { HeaderTable } from './header-mutation.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'expect', 'trailer']);

/** Connection-level headers that are never forwarded (nor shown to the processor). */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-');
}

export function firstValue(t: HeaderTable, key: string): string | undefined {
  return t.get(key)?.[0];
}

function add(t: HeaderTable, key: string, value: string): void {
  const vs = t.get(key);
  if (vs) vs.push(value);
  else t.set(key, [value]);
}

/** Whether the client sends a body (Envoy: headers without end_stream). */
export function requestHasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const cl = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(cl) && cl > 0;
}

export function requestHeaderTable(req: IncomingMessage): HeaderTable {
  const t: HeaderTable = new Map();
  let path = req.url ?? '/';
  let authority = req.headers.host ?? '';
  // Absolute-form request targets become :authority + :path, as Envoy's HTTP/1 codec does.
  if (/^https?:\/\//i.test(path)) {
    const u = new URL(path);
    authority = u.host;
    path = `${u.pathname}${u.search}`;
  }
  t.set(':authority', [authority]);
  t.set(':path', [path]);
  t.set(':method', [req.method ?? 'GET']);
  t.set(':scheme', ['http']);
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i]!.toLowerCase();
    if (key === 'host' || isHopByHop(key)) continue;
    add(t, key, req.rawHeaders[i + 1]!);
  }
  if (!t.has('x-forwarded-proto')) t.set('x-forwarded-proto', ['http']);
  if (!t.has('x-request-id')) t.set('x-request-id', [randomUUID()]);
  return t;
}

/** An upstream (or locally generated) response as filters see it: :status first. */
export function responseHeaderTable(status: number, headers: Record<string, string | string[] | undefined>): HeaderTable {
  const t: HeaderTable = new Map([[':status', [String(status)]]]);
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (v === undefined || isHopByHop(key)) continue;
    for (const one of Array.isArray(v) ? v : [v]) add(t, key, one);
  }
  return t;
}

/** The ext_proc HeaderMap: every value in raw_value (bytes), never in value. */
export function toHeaderMap(t: HeaderTable): HeaderMap {
  const headers = [];
  for (const [key, values] of t) for (const v of values) headers.push({ key, raw_value: Buffer.from(v, 'latin1') });
  return { headers };
}

/** Headers for node:http or undici: pseudo-headers and hop-by-hop headers left out. */
export function outgoingHeaders(t: HeaderTable): OutgoingHttpHeaders & Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of t) {
    if (k.startsWith(':') || isHopByHop(k) || v.length === 0) continue;
    out[k] = v.length === 1 ? v[0]! : [...v];
  }
  return out;
}
