// Applies an ext_proc HeaderMutation the way Envoy does (ext_proc/mutation_utils.cc with the default
// HeaderMutationRules checker, common/mutation_rules):
// - removals first, then sets, in order; a rejected header is skipped silently (IGNORE), while an
//   invalid name or value, or a HeaderValue with both `value` and `raw_value`, fails the whole
//   request (Envoy answers 500);
// - only raw_value is read (Envoy 1.27+): a header given only as `value` becomes an empty header;
// - `append` true appends, false or unset overwrites (append_action is not honoured);
// - host, :authority, :scheme, :method and x-envoy* cannot be set or removed; no pseudo-header or
//   host can be removed; pseudo-headers cannot be appended to; :path can be set; :status only to a
//   number >= 200.
import type { HeaderMutation } from '../extproc/wire.js';

/** Lower-cased header name → values, in order. Values are latin1 strings (one char per byte). */
export type HeaderTable = Map<string, string[]>;

export class MutationError extends Error {}

export interface MutationOptions {
  /** Envoy skips content-length sets when its body mode makes it drop content-length. */
  skipContentLength?: boolean;
  /** CONTINUE_AND_REPLACE: Envoy lets :method be changed too. */
  replacing?: boolean;
  /** Immediate responses use Envoy's permissive checker: routing and x-envoy headers may be set. */
  permissive?: boolean;
}

// Envoy's HCM defaults (max_request_headers_count, max_request_headers_kb).
const MAX_HEADERS = 100;
const MAX_HEADER_BYTES = 60 * 1024;
// RFC 7230 token, with the leading ':' of pseudo-headers (Envoy's headerNameIsValid).
const NAME = /^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Envoy's headerValueIsValid: no NUL, CR or LF.
const BAD_VALUE = /[\0\r\n]/;
const ROUTING = new Set(['host', ':authority', ':method', ':scheme']);

type Op = 'set' | 'append' | 'remove';

function allowed(op: Op, name: string, opts: MutationOptions): boolean {
  if (op === 'remove' && (name.startsWith(':') || name === 'host')) return false;
  if (name === ':method' && opts.replacing) return true;
  if (!opts.permissive && ROUTING.has(name)) return false;
  if (name.startsWith(':') && op === 'append') return false;
  // Envoy's prefix is "x-envoy" (no dash): x-envoyfoo is refused too.
  if (!opts.permissive && name.startsWith('x-envoy')) return false;
  return true;
}

function acceptableValue(name: string, value: string): boolean {
  if (name === ':status') return /^\d+$/.test(value) && Number(value) >= 200;
  if (name === ':scheme') return /^https?$/i.test(value);
  if (name === 'host' || name === ':authority') return value.length > 0 && !/[\s/?#@]/.test(value);
  return true;
}

function byteSize(headers: HeaderTable): number {
  let n = 0;
  for (const [k, vs] of headers) for (const v of vs) n += k.length + v.length;
  return n;
}

export function applyHeaderMutation(headers: HeaderTable, mutation: HeaderMutation | undefined, opts: MutationOptions = {}): void {
  if (!mutation) return;
  const removes = mutation.remove_headers ?? [];
  const sets = mutation.set_headers ?? [];
  if (removes.length > MAX_HEADERS || sets.length > MAX_HEADERS) {
    throw new MutationError(`header mutation with ${sets.length} sets and ${removes.length} removals exceeds ${MAX_HEADERS}`);
  }
  for (const raw of removes) {
    if (!NAME.test(raw)) throw new MutationError(`invalid header name in remove_headers: ${JSON.stringify(raw)}`);
    const name = raw.toLowerCase();
    if (allowed('remove', name, opts)) headers.delete(name);
  }
  for (const opt of sets) {
    const h = opt.header;
    if (!h) continue;
    const raw = h.raw_value ?? Buffer.alloc(0);
    if (h.value && raw.length > 0) throw new MutationError(`header ${h.key}: only one of value and raw_value may be set`);
    if (opts.skipContentLength && h.key.toLowerCase() === 'content-length') continue;
    // Bytes are kept as latin1 so that they reach the wire unchanged.
    const value = raw.toString('latin1');
    if (!NAME.test(h.key) || BAD_VALUE.test(value)) throw new MutationError(`invalid character in set_headers: ${JSON.stringify(h.key)}`);
    const name = h.key.toLowerCase();
    const append = opt.append?.value === true;
    const op: Op = append && headers.has(name) ? 'append' : 'set';
    if (!allowed(op, name, opts) || !acceptableValue(name, value)) continue;
    if (append) headers.set(name, [...(headers.get(name) ?? []), value]);
    else headers.set(name, [value]);
  }
  let count = 0;
  for (const vs of headers.values()) count += vs.length;
  if (count > MAX_HEADERS || byteSize(headers) > MAX_HEADER_BYTES) {
    throw new MutationError(`headers after mutation exceed ${MAX_HEADERS} entries or ${MAX_HEADER_BYTES} bytes`);
  }
}
