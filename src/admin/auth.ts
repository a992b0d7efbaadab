// Bearer-token authorization for the admin API. Tokens and roles come from the current config
// (security.admin_tokens), read at each request so a reload rotates them. A viewer may read; an
// admin may also change state (reload). No tokens configured: the protected routes are off.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthorizeResult } from './server.js';

export type AdminRole = 'viewer' | 'admin';

export interface AdminToken {
  token?: string | undefined;
  role: AdminRole;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The role a presented bearer token carries, comparing in constant time. */
function roleOf(presented: string, tokens: readonly AdminToken[]): AdminRole | undefined {
  const p = digest(presented);
  let role: AdminRole | undefined;
  for (const t of tokens) {
    if (t.token !== undefined && timingSafeEqual(p, digest(t.token)) && role !== 'admin') role = t.role;
  }
  return role;
}

export function bearerAuthorizer(
  tokens: () => readonly AdminToken[],
  requiredRole: (method: string, path: string) => AdminRole,
): (req: { method: string; path: string; headers: IncomingMessage['headers'] }) => AuthorizeResult {
  return ({ method, path, headers }) => {
    const configured = tokens();
    if (configured.length === 0) return { ok: false, status: 403, message: 'the admin API is off: configure security.admin_tokens' };
    const m = /^Bearer ([^\s]+)$/i.exec(headers.authorization ?? '');
    if (!m) return { ok: false, status: 401, message: 'a bearer token is required' };
    const role = roleOf(m[1]!, configured);
    if (!role) return { ok: false, status: 401, message: 'unknown token' };
    if (requiredRole(method, path) === 'admin' && role !== 'admin') return { ok: false, status: 403, message: 'this needs an admin token' };
    return { ok: true };
  };
}
