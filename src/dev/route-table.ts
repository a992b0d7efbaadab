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
}

export function selectRoute(routes: readonly GatewayRoute[], headers: HeaderTable, defaultUpstream: string | undefined): SelectedRoute | undefined {
  for (const r of routes) {
    const value = headers.get(r.header.toLowerCase())?.[0];
    if (r.originalDst && value) return { upstream: `http://${value}`, cluster: r.cluster ?? 'original_dst' };
    if (value === r.value) return { upstream: r.upstream, cluster: r.cluster ?? r.upstream };
  }
  return defaultUpstream ? { upstream: defaultUpstream, cluster: 'default' } : undefined;
}
