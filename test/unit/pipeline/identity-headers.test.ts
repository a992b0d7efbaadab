// Which identity headers a stream may trust: by config (trusted) and, with trusted_peers, by the
// client certificate of the ext_proc connection; and the config checks that go with it.
import { describe, expect, it } from '@jest/globals';
import { formatIssue } from '../../../src/config/issues.js';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { identityHeaderNames, identityTrusted, untrustedIdentityHeaders } from '../../../src/pipeline/identity-headers.js';
import { securitySchema } from '../../../src/config/schema/security.js';
import { baseConfigDoc } from '../../helpers/config.js';

// The schema alone: trusted_peers without a TLS listener is a whole-config error (tested below).
const identity = (over: Record<string, unknown>) => securitySchema.parse({ identity: over }).identity;
const headers = new Map([
  ['x-tenant-id', 'acme'],
  ['x-user-groups', 'admins'],
  ['x-request-id', 'r1'],
]);
const ENVOY = { names: ['envoy', 'spiffe://cluster.local/ns/ai/sa/envoy'] };

describe('identity headers', () => {
  it('are the tenant header (lower-cased) and the listed ones', () => {
    expect(identityHeaderNames(identity({ tenant_header: 'X-Org', headers: ['x-user-groups'] }))).toEqual(['x-org', 'x-user-groups']);
  });

  it.each([
    ['trusted false: never', { trusted: false }, ENVOY, false],
    ['trusted, no trusted_peers: every connection', { trusted: true }, undefined, true],
    ['trusted_peers: the named certificate', { trusted: true, trusted_peers: ['spiffe://cluster.local/ns/ai/sa/envoy'] }, ENVOY, true],
    ['trusted_peers: another certificate', { trusted: true, trusted_peers: ['spiffe://cluster.local/ns/ai/sa/envoy'] }, { names: ['batch'] }, false],
    ['trusted_peers: no certificate at all', { trusted: true, trusted_peers: ['envoy'] }, undefined, false],
  ])('%s', (_name, cfg, peer, expected) => {
    const c = identity({ headers: ['x-user-groups'], ...cfg });
    expect(identityTrusted(c, peer)).toBe(expected);
    expect(untrustedIdentityHeaders(headers, c, peer)).toEqual(expected ? [] : ['x-tenant-id', 'x-user-groups']);
  });
});

function problems(change: (doc: any) => void): string[] {
  const doc = baseConfigDoc() as any;
  change(doc);
  try {
    parseConfig(doc);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
}

describe('trusted_peers config checks', () => {
  it('needs trusted true and a mutual-TLS listener', () => {
    expect(problems((d) => (d.security = { identity: { trusted_peers: ['envoy'] } }))).toEqual([
      expect.stringContaining('security.identity.trusted_peers: trusted_peers needs security.identity.trusted: true'),
      expect.stringContaining('security.identity.trusted_peers: trusted_peers names client certificates: set listeners.grpc.tls with client_ca_file'),
    ]);
  });

  it('is accepted with both', () => {
    expect(
      problems((d) => {
        d.security = { identity: { trusted: true, trusted_peers: ['envoy'] } };
        d.listeners = { grpc: { tls: { cert_file: 'a.crt', key_file: 'a.key', client_ca_file: 'ca.crt' } } };
      }),
    ).toEqual([]);
  });

  it('refuses a header name that is not lower-case', () => {
    expect(problems((d) => (d.security = { identity: { headers: ['X-User'] } }))[0]).toMatch(/security\.identity\.headers\[0\]/);
  });
});
