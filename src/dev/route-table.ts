// Envoy's route table for the gateway: exact header matches, first match wins, then the default.
import type { HeaderTable } from './header-mutation.js';

export interface GatewayRoute {
  header: string;
  /** The value to match; with originalDst any value matches. */
  value: string;
  /** Like an ORIGINAL_DST cluster with use_http_header: the header's host:port is the upstream. */
  originalDst?: boolean;
  /** Base URL of the upstream, e.g. http://127.0.0.1:8101. */
  upstream: string;
  cluster?: string;
}

export interface SelectedRoute {
  upstream: string;
  cluster: string;
  /** originalDst with an endpoint-picker list ("a:1,b:2"): the addresses after the first, tried in order on a connect failure (the retry policy walking the list). */
  fallbacks?: string[];
  /** originalDst: the address being tried, reported back as x-gateway-destination-endpoint-served. */
  address?: string;
}

export function selectRoute(routes: readonly GatewayRoute[], headers: HeaderTable, defaultUpstream: string | undefined): SelectedRoute | undefined {
  for (const r of routes) {
    const value = headers.get(r.header.toLowerCase())?.[0];
    if (r.originalDst && value) {
      const [first, ...rest] = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (first) return { upstream: `http://${first}`, cluster: r.cluster ?? 'original_dst', address: first, ...(rest.length ? { fallbacks: rest } : {}) };
    }
    if (value === r.value) return { upstream: r.upstream, cluster: r.cluster ?? r.upstream };
  }
  return defaultUpstream ? { upstream: defaultUpstream, cluster: 'default' } : undefined;
}
