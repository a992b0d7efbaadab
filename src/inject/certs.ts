// `semroute inject certs`: a self-signed CA and a serving certificate for the injector's Service
// (for clusters without cert-manager). node-forge builds and signs the X.509 certificates (node's
// crypto only parses them); the keys come from node's crypto. The tests use the same function.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface GeneratedCerts {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** base64 of caCert: the MutatingWebhookConfiguration's clientConfig.caBundle. */
  caBundle: string;
}

export interface CertRequest {
  /** DNS names in the serving certificate (the first is its CN). */
  dnsNames: string[];
  ipAddresses?: string[];
  days?: number;
  /** An existing CA to sign with (PEM); a new one otherwise. */
  ca?: { cert: string; key: string };
}

/** The DNS names the API server may use for a Service: name, name.ns, name.ns.svc. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function rsaKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return { pem: privateKey, forgeKey, forgePublic: forge.pki.rsa.setPublicKey(forgeKey.n, forgeKey.e) };
}

function serial(): string {
  // Positive 16-byte serial (leading byte < 0x80).
  return `1${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
}

function validity(c: forge.pki.Certificate, days: number): void {
  c.validity.notBefore = new Date(Date.now() - 5 * 60_000); // clock skew between nodes
  c.validity.notAfter = new Date(Date.now() + days * 86_400_000);
}

export function generateCerts(req: CertRequest): GeneratedCerts {
  const days = req.days ?? 365;
  let caCert: forge.pki.Certificate;
  let caKeyPem: string;
  if (req.ca) {
    caCert = forge.pki.certificateFromPem(req.ca.cert);
    caKeyPem = req.ca.key;
  } else {
    const k = rsaKey();
    caKeyPem = k.pem;
    caCert = forge.pki.createCertificate();
    caCert.publicKey = k.forgePublic;
    caCert.serialNumber = serial();
    validity(caCert, days * 10);
    const subject = [{ name: 'commonName', value: 'semroute-inject-ca' }];
    caCert.setSubject(subject);
    caCert.setIssuer(subject);
    caCert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    caCert.sign(k.forgeKey, forge.md.sha256.create());
  }
  const caKey = forge.pki.privateKeyFromPem(caKeyPem);
  const k = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.forgePublic;
  cert.serialNumber = serial();
  validity(cert, days);
  cert.setSubject([{ name: 'commonName', value: req.dnsNames[0] ?? 'semroute-inject' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // The API server checks the SAN, never the CN.
    { name: 'subjectAltName', altNames: [...req.dnsNames.map((value) => ({ type: 2, value })), ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))] },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  const caPem = forge.pki.certificateToPem(caCert);
  return { caCert: caPem, caKey: caKeyPem, cert: forge.pki.certificateToPem(cert), key: k.pem, caBundle: Buffer.from(caPem).toString('base64') };
}
