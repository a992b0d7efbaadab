// Debug explanation headers: with security.debug_headers on and `x-semroute-debug: true` on the
// request, the response carries the signals that matched (names and confidences, never text), why
// the decision and the model were chosen, and how the cache answered.
import type { RouteChoice } from '../routing/router.js';
import type { HeaderPair } from './outcome.js';
import type { RequestHeaders } from './headers.js';

export const DEBUG_REQUEST_HEADER = 'x-semroute-debug';
export const SIGNALS_HEADER = 'x-semroute-signals';
export const WHY_HEADER = 'x-semroute-why';
export const PLUGINS_HEADER = 'x-semroute-plugins';
/** How the cache answered: exact, semantic:0.973, guard:numbers (a near hit rejected), over_window... */
export const CACHE_DETAIL_HEADER = 'x-semroute-cache-detail';

export function wantsDebug(headers: RequestHeaders): boolean {
  const v = headers.get(DEBUG_REQUEST_HEADER);
  return v !== undefined && ['true', '1', 'yes'].includes(v.trim().toLowerCase());
}

/** Header values must stay printable ASCII: names are config names, reasons our own text. */
function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

export function debugHeaders(choice: RouteChoice): HeaderPair[] {
  const matched: string[] = [];
  const failed: string[] = [];
  for (const [name, r] of choice.signals) {
    if (r.error) failed.push(`${name}=error`);
    else if (r.matched) matched.push(`${name}=${r.confidence.toFixed(2)}`);
  }
  const out: HeaderPair[] = [
    [SIGNALS_HEADER, ascii([...matched, ...failed].join(', ') || 'none')],
    [WHY_HEADER, ascii(`${choice.why}; model: ${choice.modelWhy}`)],
  ];
  if (choice.applied.length > 0) out.push([PLUGINS_HEADER, ascii(choice.applied.join(', '))]);
  return out;
}

/** The cache step's detail (our own vocabulary: rule names, reasons, a similarity). */
export function cacheDebugHeader(detail: string | undefined): HeaderPair[] {
  return detail ? [[CACHE_DETAIL_HEADER, ascii(detail)]] : [];
}
