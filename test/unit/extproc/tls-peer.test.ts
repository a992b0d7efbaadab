// The names of a client certificate that trusted_peers is matched against.
import { describe, expect, it } from '@jest/globals';
import type { PeerCertificate } from 'node:tls';
import { callPeer, peerNames } from '../../../src/extproc/tls.js';

const cert = (over: Partial<PeerCertificate>) => ({ raw: Buffer.from([1]), subject: { CN: 'envoy' }, ...over }) as unknown as PeerCertificate;

describe('peerNames', () => {
  it('lists the subject CN and the DNS and URI SANs, not IP or e-mail ones', () => {
    const names = peerNames(cert({ subjectaltname: 'DNS:envoy.ai.svc, URI:spiffe://cluster.local/ns/ai/sa/envoy, IP Address:10.0.0.1, email:ops@example.com' }));
    expect(names).toEqual({ names: ['envoy', 'envoy.ai.svc', 'spiffe://cluster.local/ns/ai/sa/envoy'] });
  });
  it('is undefined without a certificate (plaintext, or none presented)', () => {
    expect(peerNames(undefined)).toBeUndefined();
    expect(peerNames({} as PeerCertificate)).toBeUndefined();
    expect(callPeer({})).toBeUndefined();
    expect(
      callPeer({
        getAuthContext: () => {
          throw new Error('no session');
        },
      }),
    ).toBeUndefined();
  });
});
