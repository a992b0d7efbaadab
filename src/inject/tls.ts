// The serving certificate, read from files and read again when they change, so cert-manager (or a
// Secret update) rotates it without a restart. Kubernetes updates a mounted Secret by swapping a
// symlink in its folder, so the folder is watched, not the files; a slow poll backs the watch up.
// A change that does not load (half-written pair, key not matching) is counted and logged, and the
// certificate in use keeps serving until a good pair appears.
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { X509Certificate, createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { errorMessage } from '../telemetry/errors.js';
import type { Logger } from '../telemetry/logger.js';

export interface CertPair {
  cert: Buffer;
  key: Buffer;
}

export interface CertInfo {
  /** SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
  notAfter: string;
  subject: string;
}

export function readPair(certFile: string, keyFile: string): CertPair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  createSecureContext(pair); // throws when they do not load or do not match
  return pair;
}

export function certInfo(cert: Buffer): CertInfo {
  const x = new X509Certificate(cert);
  return { fingerprint: x.fingerprint256, notAfter: new Date(x.validTo).toISOString(), subject: x.subject };
}

export interface CertWatcherOptions {
  certFile: string;
  keyFile: string;
  logger: Logger;
  /** A new pair that loads. */
  onChange(pair: CertPair): void;
  onError(e: unknown): void;
  /** Backstop poll for file systems without change events. Default 60 s. */
  pollMs?: number;
}

export interface CertWatcher {
  close(): void;
}

export function watchCerts(opts: CertWatcherOptions, current: CertPair): CertWatcher {
  let digest = pairDigest(current);
  const warn = opts.logger.rateLimited('inject-cert-reload', 10_000);
  const check = () => {
    let pair: CertPair;
    try {
      pair = readPair(opts.certFile, opts.keyFile);
    } catch (e) {
      // Mid-rotation the two files can briefly disagree; the next event (or poll) retries.
      // Rate-limited: one rotation can fire several events while the pair disagrees.
      warn.warn('serving certificate not reloaded; the current one keeps serving', { error: errorMessage(e) });
      opts.onError(e);
      return;
    }
    const d = pairDigest(pair);
    if (d === digest) return;
    digest = d;
    opts.onChange(pair);
  };
  const dirs = [...new Set([path.dirname(path.resolve(opts.certFile)), path.dirname(path.resolve(opts.keyFile))])];
  const watchers: FSWatcher[] = dirs.map((dir) => watch(dir, { persistent: false }, check));
  for (const w of watchers) w.on('error', (e) => opts.logger.warn('certificate folder watch failed; polling only', { error: errorMessage(e) }));
  const timer = setInterval(check, opts.pollMs ?? 60_000);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      for (const w of watchers) w.close();
    },
  };
}

function pairDigest(p: CertPair): string {
  return createHash('sha256').update(p.cert).update('\0').update(p.key).digest('hex');
}
