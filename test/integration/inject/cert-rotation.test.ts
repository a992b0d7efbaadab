// The serving certificate rotates without a restart: the files are swapped the way the kubelet
// updates a mounted Secret (a new timestamped folder, then the ..data symlink renamed over the
// old one), the injector keeps answering throughout, and new connections get the new certificate.
// A pair that does not load (key of another certificate) is refused and the old one keeps serving.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateCerts, type GeneratedCerts } from '../../../src/inject/certs.js';
import { defaultSettings } from '../../../src/inject/defaults.js';
import { startInjector, type Injector } from '../../../src/inject/server.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { gatewayPod, httpsCall, podReview } from '../../helpers/inject.js';
import { until } from '../../helpers/until.js';
import { find, parseExposition } from '../../unit/telemetry/prom.js';

let dir: string;
let injector: Injector;
let first: GeneratedCerts;
let swaps = 0;

/** Writes a new ..data folder and points ..data at it atomically, as the kubelet's AtomicWriter does. */
function swapIn(cert: string, key: string): void {
  const version = path.join(dir, `..2026_12_02_${String(++swaps).padStart(2, '0')}`);
  mkdirSync(version);
  writeFileSync(path.join(version, 'tls.crt'), cert);
  writeFileSync(path.join(version, 'tls.key'), key);
  symlinkSync(path.basename(version), path.join(dir, '..data_tmp'));
  renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-rotation-'));
  first = generateCerts({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
  swapIn(first.cert, first.key);
  symlinkSync('..data/tls.crt', path.join(dir, 'tls.crt'));
  symlinkSync('..data/tls.key', path.join(dir, 'tls.key'));
  injector = await startInjector({
    host: '127.0.0.1',
    port: 0,
    certFile: path.join(dir, 'tls.crt'),
    keyFile: path.join(dir, 'tls.key'),
    defaults: defaultSettings('0.1.0', 'native'),
    modeReason: 'test',
    onInvalid: 'admit',
    logger: silentLogger,
  });
});

afterAll(async () => {
  await injector?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function inject(ca: string, agent?: Agent) {
  const r = await httpsCall(injector.url, ca, 'POST', '/mutate', podReview(gatewayPod()), agent ? { agent } : {});
  expect(r.status).toBe(200);
  expect(r.json().response.patch).toEqual(expect.any(String));
  return r;
}

describe('certificate rotation', () => {
  it('keeps serving across the swap and presents the new certificate', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await inject(first.caCert, keepAlive);
      expect(before.peer.fingerprint256).toBe(fingerprint(first.cert));

      // Same CA (the caBundle in the webhook configuration stays valid), new serving pair.
      const next = generateCerts({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1, ca: { cert: first.caCert, key: first.caKey } });
      swapIn(next.cert, next.key);
      await until(() => injector.certGeneration() === 2, 10_000, 'the new certificate loaded');

      // The open connection keeps its session and goes on answering.
      const onOld = await inject(first.caCert, keepAlive);
      expect(onOld.peer.fingerprint256).toBe(fingerprint(first.cert));
      // A new connection gets the new certificate.
      const fresh = await inject(first.caCert);
      expect(fresh.peer.fingerprint256).toBe(fingerprint(next.cert));
      expect(injector.cert().fingerprint).toBe(fingerprint(next.cert));
      const ready = await httpsCall(injector.url, first.caCert, 'GET', '/readyz');
      expect(ready.json().certificate.fingerprint).toBe(fingerprint(next.cert));
    } finally {
      keepAlive.destroy();
    }
  });

  it('a pair that does not load is refused; the current certificate keeps serving', async () => {
    const failed = () => find(parseExposition(text), 'semroute_inject_cert_reloads_total', { result: 'failed' })[0]?.value ?? 0;
    let text = await injector.metrics.render();
    const failedBefore = failed();
    const current = injector.cert().fingerprint;
    const other = generateCerts({ dnsNames: ['localhost'], days: 1 });
    swapIn(other.cert, first.key); // the key of another certificate
    await until(async () => {
      text = await injector.metrics.render();
      return failed() > failedBefore;
    }, 10_000, 'the bad pair refused');
    expect(injector.cert().fingerprint).toBe(current);
    const r = await inject(first.caCert);
    expect(r.peer.fingerprint256).toBe(current);
  });
});
