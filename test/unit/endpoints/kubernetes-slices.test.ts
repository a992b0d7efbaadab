import { describe, expect, it } from '@jest/globals';
import { mergeSlices, sliceAddresses } from '../../../src/endpoints/discovery/kubernetes-slices.js';

describe('EndpointSlice → endpoints', () => {
  const slice = {
    metadata: { name: 'vllm-a' },
    addressType: 'IPv4',
    ports: [{ name: 'metrics', port: 9090 }, { name: 'http', port: 8000 }],
    endpoints: [
      { addresses: ['10.0.0.1'], conditions: { ready: true } },
      { addresses: ['10.0.0.2'], conditions: { ready: false } },
      { addresses: ['10.0.0.3'] },
      { addresses: ['10.0.0.4'], conditions: { ready: null } },
    ],
  };

  it('keeps ready or unset endpoints on the first port', () => {
    expect(sliceAddresses(slice)).toEqual(['10.0.0.1:9090', '10.0.0.3:9090', '10.0.0.4:9090']);
  });
  it('uses the named port, and none when the name is missing', () => {
    expect(sliceAddresses(slice, 'http')).toEqual(['10.0.0.1:8000', '10.0.0.3:8000', '10.0.0.4:8000']);
    expect(sliceAddresses(slice, 'grpc')).toEqual([]);
  });
  it('brackets IPv6, skips FQDN slices and merges several slices', () => {
    const v6 = { metadata: { name: 'vllm-b' }, addressType: 'IPv6', ports: [{ name: 'http', port: 8000 }], endpoints: [{ addresses: ['fd00::1'] }] };
    const fqdn = { addressType: 'FQDN', ports: [{ port: 8000 }], endpoints: [{ addresses: ['a.example'] }] };
    expect(mergeSlices([slice, v6, fqdn, slice], 'http')).toEqual(['10.0.0.1:8000', '10.0.0.3:8000', '10.0.0.4:8000', '[fd00::1]:8000']);
  });
});
