// Reading and checking one listener's PEM files (certificate chain, key, optional client CA) as a
// set: a rotation is used only once all three agree, so a half-written Secret never reaches a
// listener. Errors name the file and the reason, never the file's content.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

export interface CertPaths {
  cert_file: string;
  key_file: string;
  client_ca_file?: string | undefined;
}

export interface CertFiles {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer | undefined;
}

export interface CertSet extends CertFiles {
  /** sha256 over the three files: equal digests, same set. */
  digest: string;
  /** Of the leaf certificate, for logs and /readyz. */
  subject: string;
  notAfter: Date;
  fingerprint256: string;
  /** Certificates in client_ca_file (0 without one). */
  caCount: number;
}

export class CertFilesError extends Error {}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function digestOf(files: CertFiles): string {
  const h = createHash('sha256');
  for (const part of [files.cert, files.key, files.ca ?? Buffer.alloc(0)]) {
    h.update(String(part.length)).update(':').update(part);
  }
  return h.digest('hex');
}

/**
 * The certificates of a PEM bundle, and the bundle rewritten one block per line group: OpenSSL
 * skips a block glued to the previous one's END line (bundles made with `cat` of files without a
 * final newline), which would leave a CA silently untrusted.
 */
function certificates(pem: Buffer, file: string): { certs: X509Certificate[]; pem: Buffer } {
  const blocks = pem.toString('utf8').match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new CertFilesError(`${file}: no PEM certificate in it`);
  const certs = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new CertFilesError(`${file}: certificate ${i + 1} does not parse (${(e as Error).message})`);
    }
  });
  return { certs, pem: Buffer.from(blocks.join('\n') + '\n') };
}

/** Checks a set read from `paths`; throws CertFilesError saying what is wrong. */
export function checkCertSet(files: CertFiles, paths: CertPaths): CertSet {
  const chain = certificates(files.cert, paths.cert_file);
  const leaf = chain.certs[0]!;
  let key;
  try {
    key = createPrivateKey(files.key);
  } catch (e) {
    throw new CertFilesError(`${paths.key_file}: not a PEM private key (${(e as Error).message})`);
  }
  if (!leaf.checkPrivateKey(key)) throw new CertFilesError(`${paths.key_file} is not the key of the certificate in ${paths.cert_file}`);
  const ca = files.ca && paths.client_ca_file ? certificates(files.ca, paths.client_ca_file) : undefined;
  const usable: CertFiles = { cert: chain.pem, key: files.key, ...(ca ? { ca: ca.pem } : {}) };
  try {
    createSecureContext(usable);
  } catch (e) {
    throw new CertFilesError(`${paths.cert_file}: refused by TLS (${(e as Error).message})`);
  }
  // The digest is of the files as read, so an unchanged file compares equal on the next poll.
  return { ...usable, digest: digestOf(files), subject: leaf.subject, notAfter: new Date(leaf.validTo), fingerprint256: leaf.fingerprint256, caCount: ca?.certs.length ?? 0 };
}

function readError(file: string, e: unknown): CertFilesError {
  return new CertFilesError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

export function readCertFilesSync(paths: CertPaths): CertFiles {
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw readError(file, e);
    }
  };
  return { cert: read(paths.cert_file), key: read(paths.key_file), ...(paths.client_ca_file ? { ca: read(paths.client_ca_file) } : {}) };
}

export async function readCertFiles(paths: CertPaths): Promise<CertFiles> {
  const read = (file: string) => readFile(file).catch((e: unknown) => Promise.reject(readError(file, e)));
  const [cert, key, ca] = await Promise.all([read(paths.cert_file), read(paths.key_file), paths.client_ca_file ? read(paths.client_ca_file) : undefined]);
  return { cert, key, ...(ca ? { ca } : {}) };
}
