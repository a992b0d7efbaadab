// Envoy's route table for the gateway: exact header matches, first match wins, then the default.
import type { HeaderTable } from './header-mutation.js';

export interface GatewayRoute {
  header: string;
  value: string;
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
    if (headers.get(r.header.toLowerCase())?.[0] === r.value) return { upstream: r.upstream, cluster: r.cluster ?? r.upstream };
  }
  return defaultUpstream ? { upstream: defaultUpstream, cluster: 'default' } : undefined;
}
