// Real X.509 certificates for the TLS tests, made in the test with @peculiar/x509 over Node's
// WebCrypto: a CA, a server certificate (serverAuth, SAN DNS + IP) and client certificates
// (clientAuth, SAN URI), PEM-encoded as Envoy and grpc-js read them.
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCa extends Pem {
  issue(opts: LeafOptions): Promise<Pem>;
}

export interface LeafOptions {
  cn: string;
  /** serverAuth (DNS + IP SANs) or clientAuth (URI SAN). */
  usage: 'server' | 'client';
  dns?: string[];
  ips?: string[];
  uris?: string[];
  /** Default: valid from a day ago for a year. */
  notBefore?: Date;
  notAfter?: Date;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, '0');

export async function createCa(cn = 'semroute test CA'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${cn}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: caCert.toString('pem'),
    key: await keyPem(keys.privateKey),
    async issue(opts: LeafOptions): Promise<Pem> {
      const leaf = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
      const names: x509.JsonGeneralName[] = [
        ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
        ...(opts.uris ?? []).map((value) => ({ type: 'url' as const, value })),
      ];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: nextSerial(),
        subject: `CN=${opts.cn}`,
        issuer: caCert.subject,
        notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
        notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
        publicKey: leaf.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      return { cert: cert.toString('pem'), key: await keyPem(leaf.privateKey) };
    },
  };
}

/** A temp folder holding PEM files; remove() deletes it. */
export class CertDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'semroute-tls-'));
  file(name: string): string {
    return path.join(this.dir, name);
  }
  write(name: string, pem: string): string {
    const file = this.file(name);
    writeFileSync(file, pem);
    return file;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
