import { describe, expect, it } from '@jest/globals';
import { dnsSource, resolveEndpoints, type DnsResolver } from '../../../src/endpoints/discovery/dns.js';
import { until } from '../../helpers/until.js';

function err(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/** A resolver over a table the test edits; a name missing from it is ENOTFOUND. */
function table(t: { a: Record<string, string[]>; aaaa: Record<string, string[]>; srv: Record<string, { name: string; port: number }[]>; fail?: string }): DnsResolver {
  const look = <T>(m: Record<string, T[]>, n: string) => (t.fail ? Promise.reject(err(t.fail)) : m[n] ? Promise.resolve(m[n]) : Promise.reject(err('ENOTFOUND')));
  return { resolve4: (n) => look(t.a, n), resolve6: (n) => look(t.aaaa, n), resolveSrv: (n) => look(t.srv, n) };
}

describe('dns discovery', () => {
  it('A and AAAA records with the port, IPv6 bracketed, sorted', async () => {
    const r = table({ a: { svc: ['10.0.0.2', '10.0.0.1'] }, aaaa: { svc: ['fd00::1'] }, srv: {} });
    expect(await resolveEndpoints({ name: 'svc', record: 'a', port: 8000, resolver: r })).toEqual(['10.0.0.1:8000', '10.0.0.2:8000', '[fd00::1]:8000']);
  });
  it('SRV records: the port from each record, the target resolved', async () => {
    const r = table({ a: { 'p0.svc': ['10.0.0.1'], 'p1.svc': ['10.0.0.2'] }, aaaa: {}, srv: { _http: [{ name: 'p0.svc', port: 8000 }, { name: 'p1.svc', port: 8001 }] } });
    expect(await resolveEndpoints({ name: '_http', record: 'srv', resolver: r })).toEqual(['10.0.0.1:8000', '10.0.0.2:8001']);
  });
  it('a name without records is an empty fleet', async () => {
    expect(await resolveEndpoints({ name: 'gone', record: 'a', port: 1, resolver: table({ a: {}, aaaa: {}, srv: {} }) })).toEqual([]);
  });

  it('re-resolves: endpoints that disappear are dropped, new ones join; a DNS failure keeps the last answer', async () => {
    const t = { a: { svc: ['10.0.0.1', '10.0.0.2'] } as Record<string, string[]>, aaaa: {}, srv: {}, fail: undefined as string | undefined };
    const seen: string[][] = [];
    const errors: string[] = [];
    const src = dnsSource({ name: 'svc', record: 'a', port: 80, intervalMs: 100, resolver: table(t), onError: (m) => errors.push(m) });
    src.start((eps) => seen.push([...eps]));
    try {
      await until(() => seen.length === 1, 5000, 'first answer');
      t.a.svc = ['10.0.0.2', '10.0.0.3'];
      await until(() => seen.length === 2, 5000, 'second answer');
      expect(seen).toEqual([['10.0.0.1:80', '10.0.0.2:80'], ['10.0.0.2:80', '10.0.0.3:80']]);
      t.fail = 'ESERVFAIL';
      await until(() => errors.length >= 1, 5000, 'a failed round');
      expect(seen).toHaveLength(2); // no empty report
      expect(errors[0]).toContain('ESERVFAIL');
    } finally {
      src.stop();
    }
  });
});
