// The checks a certificate set passes before a listener uses it, each failure naming the file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkCertSet, readCertFilesSync, CertFilesError } from '../../../src/tls/cert-files.js';
import { CertWatcher } from '../../../src/tls/cert-watcher.js';
import { CertDir, createCa, type Pem, type TestCa } from '../../helpers/certs.js';
import { RecordingLogger } from '../../helpers/fakes.js';

describe('certificate sets', () => {
  const dir = new CertDir();
  let ca: TestCa;
  let a: Pem;
  let b: Pem;
  beforeAll(async () => {
    ca = await createCa();
    a = await ca.issue({ cn: 'a', usage: 'server', dns: ['a'] });
    b = await ca.issue({ cn: 'b', usage: 'server', dns: ['b'] });
  });
  afterAll(() => dir.remove());

  const paths = { cert_file: '/etc/tls/tls.crt', key_file: '/etc/tls/tls.key', client_ca_file: '/etc/tls/ca.crt' };
  const check = (cert: string, key: string, caPem?: string) =>
    checkCertSet({ cert: Buffer.from(cert), key: Buffer.from(key), ...(caPem !== undefined ? { ca: Buffer.from(caPem) } : {}) }, paths);

  it('accepts a matching certificate and key, and counts the CA bundle', () => {
    const set = check(a.cert, a.key, ca.cert + '\n' + ca.cert);
    expect(set.subject).toBe('CN=a');
    expect(set.caCount).toBe(2);
    expect(set.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    ['a key of another certificate', () => check(a.cert, b.key), /tls\.key is not the key of the certificate in \/etc\/tls\/tls\.crt/],
    ['no certificate in the file', () => check('not a pem', a.key), /tls\.crt: no PEM certificate/],
    ['a key that is not PEM', () => check(a.cert, 'garbage'), /tls\.key: not a PEM private key/],
    ['a CA file without a certificate', () => check(a.cert, a.key, ''), /ca\.crt: no PEM certificate/],
  ])('refuses %s, naming the file', (_name, run, message) => {
    expect(run).toThrow(CertFilesError);
    expect(run).toThrow(message);
  });

  it('a missing file fails the read with its path and errno code, never its content', () => {
    expect(() => readCertFilesSync({ cert_file: dir.file('absent.crt'), key_file: dir.file('absent.key') })).toThrow(/cannot read .*absent\.crt: ENOENT/);
  });

  it('the watcher keeps the set in use while the files on disk are broken, and logs that once', async () => {
    const logger = new RecordingLogger();
    const p = { cert_file: dir.write('w.crt', a.cert), key_file: dir.write('w.key', a.key) };
    const w = new CertWatcher('admin', p, 60_000, logger);
    expect(await w.check()).toBe('unchanged');
    dir.write('w.key', b.key);
    expect(await w.check()).toBe('rejected');
    expect(await w.check()).toBe('rejected');
    expect(w.current.subject).toBe('CN=a');
    expect(w.status().rejected).toMatch(/is not the key/);
    expect(logger.lines.filter((l) => l.msg === 'TLS files refused; the certificate in use stays')).toHaveLength(1);
    dir.write('w.crt', b.cert);
    expect(await w.check()).toBe('rotated');
    expect(w.current.subject).toBe('CN=b');
    expect(w.status().rejected).toBeUndefined();
    w.close();
  });
});
