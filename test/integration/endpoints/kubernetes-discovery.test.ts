// The kubernetes discovery source against a stand-in API server over HTTPS: LIST, a WATCH stream
// driven by the test, 410 → re-list, a dropped watch re-established, 401 reported with the last
// endpoints kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubernetesSource } from '../../../src/endpoints/discovery/kubernetes.js';
import { createCa } from '../../helpers/certs.js';
import { until } from '../../helpers/until.js';

const slice = (name: string, rv: string, ips: string[], ready = true) => ({
  metadata: { name, resourceVersion: rv },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8000 }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready } })),
});

describe('kubernetes EndpointSlice discovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'semroute-k8s-'));
  let server: https.Server;
  let api = '';
  let items: unknown[] = [slice('a', '1', ['10.0.0.1'])];
  let lists = 0;
  const watches: ServerResponse[] = [];
  const listStatus = 200;
  const tokens: string[] = [];

  beforeAll(async () => {
    const ca = await createCa();
    const leaf = await ca.issue({ cn: 'kubernetes', usage: 'server', ips: ['127.0.0.1'] });
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'token'), 'good');
    server = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
      tokens.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== 'Bearer good') {
        res.writeHead(401).end('{"kind":"Status","code":401}');
        return;
      }
      const url = new URL(req.url ?? '/', 'https://x');
      expect(url.pathname).toBe('/apis/discovery.k8s.io/v1/namespaces/models/endpointslices');
      expect(url.searchParams.get('labelSelector')).toBe('kubernetes.io/service-name=vllm');
      if (url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'content-type': 'application/json' });
        watches.push(res);
        return;
      }
      lists++;
      res.writeHead(listStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const w of watches) w.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows LIST and WATCH, re-lists on 410, reconnects, keeps endpoints on 401', async () => {
    const errors: string[] = [];
    let eps: readonly string[] = [];
    const src = kubernetesSource({
      service: 'vllm', namespace: 'models', port: 'http', apiServer: api,
      tokenPath: join(dir, 'token'), caPath: join(dir, 'ca.crt'), backoffMinMs: 10, backoffMaxMs: 20,
      onError: (m) => errors.push(m),
    });
    src.start((e) => (eps = e));
    try {
      await until(() => eps.join() === '10.0.0.1:8000' && watches.length === 1, 5000, 'list');
      const send = (ev: unknown) => watches.at(-1)!.write(`${JSON.stringify(ev)}\n`);
      send({ type: 'ADDED', object: slice('b', '2', ['10.0.0.2', '10.0.0.3']) });
      await until(() => eps.join() === '10.0.0.1:8000,10.0.0.2:8000,10.0.0.3:8000', 5000, 'added');
      send({ type: 'MODIFIED', object: slice('b', '3', ['10.0.0.3']) });
      await until(() => eps.join() === '10.0.0.1:8000,10.0.0.3:8000', 5000, 'modified');
      send({ type: 'MODIFIED', object: slice('a', '4', ['10.0.0.1'], false) });
      await until(() => eps.join() === '10.0.0.3:8000', 5000, 'not ready excluded');
      send({ type: 'DELETED', object: slice('b', '5', []) });
      await until(() => eps.length === 0, 5000, 'deleted');

      // 410 mid-watch: a fresh LIST replaces the picture.
      items = [slice('c', '6', ['10.0.0.9'])];
      const before = lists;
      send({ type: 'ERROR', object: { kind: 'Status', code: 410 } });
      await until(() => lists === before + 1 && eps.join() === '10.0.0.9:8000' && watches.length === 2, 5000, 're-list');

      // The server drops the watch: it is re-established, without a LIST.
      const listsNow = lists;
      watches.at(-1)!.end();
      await until(() => watches.length === 3, 5000, 'rewatch');
      expect(lists).toBe(listsNow);

      // A bad token: 401 reported, the last endpoints kept.
      writeFileSync(join(dir, 'token'), 'bad');
      watches.at(-1)!.end();
      await until(() => errors.some((e) => e.includes('401')), 5000, '401');
      expect(eps.join()).toBe('10.0.0.9:8000');
      writeFileSync(join(dir, 'token'), 'good');
      await until(() => watches.length === 4, 5000, 'recovered');
    } finally {
      src.stop();
    }
  });
});
