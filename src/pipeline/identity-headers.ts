// Identity headers (security.identity: tenant_header and headers) are trusted only from the
// configured trusted hop: with trusted false, or on an ext_proc connection whose client certificate
// is not one of trusted_peers, they are removed before routing reads them and from the request
// sent upstream. The router cannot tell a header an auth filter set from one a client sent (both
// arrive alike), so the trust is declared in config, and narrowed to a peer with mutual TLS.
import type { Config } from '../config/schema.js';
import type { RequestHeaders } from './headers.js';

/** Who is on the other end of an ext_proc connection: its client certificate's names. */
export interface PeerIdentity {
  /** Subject CN and every DNS/URI SAN of the client certificate. */
  names: string[];
}

type IdentityConfig = Config['security']['identity'];

export function identityHeaderNames(cfg: IdentityConfig): string[] {
  return [...new Set([cfg.tenant_header.toLowerCase(), ...cfg.headers])];
}

/** Whether a stream from `peer` may set identity headers. */
export function identityTrusted(cfg: IdentityConfig, peer: PeerIdentity | undefined): boolean {
  if (!cfg.trusted) return false;
  if (cfg.trusted_peers.length === 0) return true;
  return peer?.names.some((n) => cfg.trusted_peers.includes(n)) ?? false;
}

/** The identity headers present that this stream must not trust (empty when it may). */
export function untrustedIdentityHeaders(headers: RequestHeaders, cfg: IdentityConfig, peer: PeerIdentity | undefined): string[] {
  if (identityTrusted(cfg, peer)) return [];
  return identityHeaderNames(cfg).filter((name) => headers.has(name));
}
