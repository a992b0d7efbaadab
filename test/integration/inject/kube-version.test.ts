// --sidecar-mode auto against a stand-in API server over HTTPS: GET /version with the service
// account's token, verified against its CA, decides native or regular; a refusal or a wrong CA
// falls back to regular and says why.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generateCerts } from '../../../src/inject/certs.js';
import { chooseMode, readInClusterVersion } from '../../../src/inject/mode.js';
import { certDir, type CertDir } from '../../helpers/inject.js';

let dir: CertDir;
let server: Server;
let port: number;
const seen: Array<string | undefined> = [];
let answer = { status: 200, body: JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.4' }) };

beforeAll(async () => {
  dir = certDir();
  writeFileSync(path.join(dir.dir, 'ca.crt'), dir.certs.caCert);
  writeFileSync(path.join(dir.dir, 'token'), 'sa-token\n');
  server = createServer({ cert: dir.certs.cert, key: dir.certs.key }, (req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(req.url === '/version' ? answer.status : 404, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  dir.cleanup();
});

const api = () => ({ host: '127.0.0.1', port, caFile: path.join(dir.dir, 'ca.crt'), tokenFile: path.join(dir.dir, 'token') });

describe('GET /version from the API server', () => {
  it('reads gitVersion with the bearer token, and auto picks native on 1.31', async () => {
    expect(await readInClusterVersion(api())).toBe('v1.31.4');
    expect(seen.at(-1)).toBe('Bearer sa-token');
    expect(await chooseMode('auto', { readVersion: () => readInClusterVersion(api()) })).toEqual({ mode: 'native', why: 'auto: Kubernetes 1.31 from the API server >= 1.29' });
  });

  it('a refusal falls back to regular, naming the status', async () => {
    answer = { status: 403, body: '{"kind":"Status"}' };
    const c = await chooseMode('auto', { readVersion: () => readInClusterVersion(api()) });
    expect(c).toEqual({ mode: 'regular', why: 'auto: cluster version unknown (GET /version: HTTP 403), a regular container works everywhere' });
    answer = { status: 200, body: JSON.stringify({ gitVersion: 'v1.31.4' }) };
  });

  it('a server the CA did not sign is not trusted', async () => {
    const other = generateCerts({ dnsNames: ['localhost'], days: 1 });
    const otherCa = path.join(dir.dir, 'other-ca.crt');
    writeFileSync(otherCa, other.caCert);
    await expect(readInClusterVersion({ ...api(), caFile: otherCa })).rejects.toThrow(/certificate/i);
  });

  it('outside a cluster: no host', async () => {
    await expect(readInClusterVersion({ caFile: 'x', tokenFile: 'y' })).rejects.toThrow(/not in a cluster/);
  });
});
