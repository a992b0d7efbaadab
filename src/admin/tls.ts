// HTTPS for the admin listener (listeners.admin.tls): the same certificate watcher as the ext_proc
// listener; each new set goes to setSecureContext, so new connections get it and open ones keep
// theirs. With a client CA, clients must present a certificate from it (in the handshake), on top
// of the bearer tokens that the routes require.
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertSet } from '../tls/cert-files.js';
import type { CertWatcher } from '../tls/cert-watcher.js';

export interface AdminTls {
  watcher: CertWatcher;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

const contextOf = (set: CertSet) => ({ cert: set.cert, key: set.key, ...(set.ca ? { ca: set.ca } : {}) });

export function createAdminHttpsServer(
  tls: AdminTls,
  options: ServerOptions,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): HttpsServer {
  const mutual = tls.watcher.current.ca !== undefined;
  const server = createHttpsServer({ ...options, ...contextOf(tls.watcher.current), requestCert: mutual, rejectUnauthorized: mutual, minVersion: tls.minVersion }, handler);
  const detach = tls.watcher.onChange((set) => server.setSecureContext(contextOf(set)));
  server.once('close', detach);
  // A refused handshake is the client's problem, not a listener error.
  server.on('tlsClientError', () => undefined);
  return server;
}
