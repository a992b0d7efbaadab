// Applies an ext_proc HeaderMutation the way Envoy's filter does (mutation_utils):
// only raw_value is read; `append` true appends, false or unset overwrites; host, :authority,
// :scheme, :method and x-envoy-* cannot be changed (silently ignored); pseudo-headers and host
// cannot be removed; :path can be set.
import type { HeaderMutation } from '../extproc/wire.js';

/** Lower-cased header name → values, in order. */
export type HeaderTable = Map<string, string[]>;

export class MutationError extends Error {}

function immutable(name: string): boolean {
  return name === 'host' || name === ':authority' || name === ':scheme' || name === ':method' || name.startsWith('x-envoy-');
}

export function applyHeaderMutation(headers: HeaderTable, mutation: HeaderMutation | undefined): void {
  if (!mutation) return;
  for (const name of mutation.remove_headers ?? []) {
    const key = name.toLowerCase();
    if (key.startsWith(':') || immutable(key)) continue;
    headers.delete(key);
  }
  for (const opt of mutation.set_headers ?? []) {
    const key = opt.header.key.toLowerCase();
    const raw = opt.header.raw_value;
    const hasRaw = raw !== undefined && raw.length > 0;
    if (hasRaw && opt.header.value) throw new MutationError(`header ${key}: both value and raw_value set`);
    if (immutable(key)) continue;
    // Envoy 1.27+ reads raw_value only: a header given only as `value` becomes empty.
    const value = hasRaw ? raw.toString('utf8') : '';
    if (opt.append?.value === true) headers.set(key, [...(headers.get(key) ?? []), value]);
    else headers.set(key, [value]);
  }
}
