// Bearer-token authorization for the admin API. Tokens and roles come from the current config
// (security.admin_tokens), read at each request so a reload rotates them. A viewer may read; an
// admin may also change state (reload). No tokens configured: the protected routes are off.
// Each verdict names who asked (the token's configured name, else a fingerprint of it) for the
// audit line; the token itself never leaves this file.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthorizeResult } from './server.js';

export type AdminRole = 'viewer' | 'admin';

export interface AdminToken {
  token?: string | undefined;
  role: AdminRole;
  name?: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The name of a token in audit lines: its configured name, else `token:` and 8 hex of its sha256. */
export function tokenPrincipal(t: AdminToken): string {
  return t.name ?? `token:${digest(t.token ?? '').toString('hex').slice(0, 8)}`;
}

/** The configured token a presented bearer token is (the admin one when listed twice), comparing in constant time. */
function match(presented: string, tokens: readonly AdminToken[]): AdminToken | undefined {
  const p = digest(presented);
  let found: AdminToken | undefined;
  for (const t of tokens) {
    if (t.token !== undefined && timingSafeEqual(p, digest(t.token)) && found?.role !== 'admin') found = t;
  }
  return found;
}

export function bearerAuthorizer(
  tokens: () => readonly AdminToken[],
  requiredRole: (method: string, path: string) => AdminRole,
): (req: { method: string; path: string; headers: IncomingMessage['headers'] }) => AuthorizeResult {
  return ({ method, path, headers }) => {
    const configured = tokens();
    if (configured.length === 0) return { ok: false, status: 403, message: 'the admin API is off: configure security.admin_tokens', principal: 'anonymous' };
    const m = /^Bearer ([^\s]+)$/i.exec(headers.authorization ?? '');
    if (!m) return { ok: false, status: 401, message: 'a bearer token is required', principal: 'anonymous' };
    const token = match(m[1]!, configured);
    if (!token) return { ok: false, status: 401, message: 'unknown token', principal: 'unknown-token' };
    const principal = tokenPrincipal(token);
    if (requiredRole(method, path) === 'admin' && token.role !== 'admin') return { ok: false, status: 403, message: 'this needs an admin token', principal };
    return { ok: true, principal };
  };
}
