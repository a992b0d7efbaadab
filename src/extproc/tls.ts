// TLS and mutual TLS on the ext_proc listener, with certificates swapped without a restart.
//
// How the swap works (measured in test/integration/extproc/tls.test.ts): grpc-js creates one
// http2 secure server per bound address and subscribes it to its ServerCredentials' watchers; each
// update goes to Http2SecureServer.setSecureContext, which applies to connections made from then
// on, while open connections (and the ext_proc streams on them) keep their session. So no rebind
// and no drain is needed. grpc-js 1.14's own route to this, experimental
// createCertificateProviderServerCredentials(ca, identity, ...), hands its two providers to a
// constructor that takes them the other way round, and publishes a key and certificate read at
// different moments without checking that they match; a small ServerCredentials subclass fed by
// CertWatcher (which checks the whole set first) avoids both.
import type { SecureServerOptions } from 'node:http2';
import type { PeerCertificate, SecureContextOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { CertSet } from '../tls/cert-files.js';
import type { CertWatcher } from '../tls/cert-watcher.js';
import type { PeerIdentity } from '../pipeline/identity-headers.js';

export interface ServerTlsOptions {
  watcher: CertWatcher;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

class WatchedServerCredentials extends grpc.ServerCredentials {
  constructor(serverOptions: SecureServerOptions, context: SecureContextOptions) {
    super(serverOptions, context);
  }

  update(context: SecureContextOptions): void {
    this.updateSecureContextOptions(context);
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

const contextOf = (set: CertSet): SecureContextOptions => ({ cert: set.cert, key: set.key, ...(set.ca ? { ca: set.ca } : {}) });

/** Credentials that follow the watcher; `detach` stops following (at shutdown). */
export function serverCredentials(opts: ServerTlsOptions): { credentials: grpc.ServerCredentials; detach: () => void } {
  const mutual = opts.watcher.current.ca !== undefined;
  const credentials = new WatchedServerCredentials(
    {
      // With a client CA: ask for a certificate and refuse the handshake without a valid one.
      requestCert: mutual,
      rejectUnauthorized: mutual,
      minVersion: opts.minVersion,
    },
    contextOf(opts.watcher.current),
  );
  const detach = opts.watcher.onChange((set) => credentials.update(contextOf(set)));
  return { credentials, detach };
}

export function peerNames(cert: PeerCertificate | undefined): PeerIdentity | undefined {
  if (!cert?.raw) return undefined;
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string' && cn !== '') names.push(cn);
  for (const entry of (cert.subjectaltname ?? '').split(/,\s*/)) {
    const m = /^(DNS|URI):(.+)$/.exec(entry.trim());
    if (m) names.push(m[2]!);
  }
  return { names };
}

/** The peer identity of a server call; undefined on plaintext or without a client certificate. */
export function callPeer(call: { getAuthContext?: () => { sslPeerCertificate?: PeerCertificate } }): PeerIdentity | undefined {
  try {
    return peerNames(call.getAuthContext?.().sslPeerCertificate);
  } catch {
    return undefined;
  }
}
