// envoy/envoy-mtls.yaml and its SDS files: the TLS settings are valid for Envoy's v3 API (strict
// field tables from the protos, envoy-tls-schema.ts) and agree with semroute's TLS listener in
// deploy/local/semroute-mtls.yaml. The e2e test test/e2e/mtls.test.ts dials semroute with these
// same settings (SNI, SAN) through the local gateway.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';
import { validateAny, validateMessage } from './envoy-tls-schema.js';

const envoy = parse(readFileSync('envoy/envoy-mtls.yaml', 'utf8'));
const cluster = envoy.static_resources.clusters.find((c: any) => c.name === 'semroute');
const socket = cluster.transport_socket;
const tls = socket.typed_config;
const common = tls.common_tls_context;

/** An SDS path under /etc/envoy/tls/ is shipped as envoy/tls/<name>. */
const sdsFile = (p: string) => path.join('envoy/tls', path.basename(p));
const sdsResources = (configSource: any): any[] => parse(readFileSync(sdsFile(configSource.path_config_source.path), 'utf8')).resources;

describe('envoy/envoy-mtls.yaml: the semroute cluster dials with mutual TLS', () => {
  it('uses the TLS transport socket with an UpstreamTlsContext valid for the v3 API', () => {
    expect(socket.name).toBe('envoy.transport_sockets.tls');
    expect(validateAny(tls, 'transport_socket.typed_config')).toEqual([]);
  });

  it('verifies the server: a trusted CA and the SAN that matches the SNI it sends', () => {
    const v = common.combined_validation_context;
    expect(v.default_validation_context.match_typed_subject_alt_names).toEqual([{ san_type: 'DNS', matcher: { exact: tls.sni } }]);
    const [ca] = sdsResources(v.validation_context_sds_secret_config.sds_config);
    expect(ca.name).toBe(v.validation_context_sds_secret_config.name);
    expect(ca.validation_context.trusted_ca.filename).toMatch(/^\/etc\/envoy\/tls\//);
  });

  it('presents a client certificate, from SDS so that rotation is picked up', () => {
    expect(common.tls_certificates).toBeUndefined();
    const [ref] = common.tls_certificate_sds_secret_configs;
    const [secret] = sdsResources(ref.sds_config);
    expect(secret.name).toBe(ref.name);
    expect(Object.keys(secret.tls_certificate).sort()).toEqual(['certificate_chain', 'private_key', 'watched_directory']);
    // The certificate and key live in the watched folder (a Secret mount rotates by symlink swap).
    const dir = secret.tls_certificate.watched_directory.path;
    expect(path.dirname(secret.tls_certificate.certificate_chain.filename)).toBe(dir);
    expect(path.dirname(secret.tls_certificate.private_key.filename)).toBe(dir);
  });

  it('offers h2 in ALPN and TLS 1.2 or later', () => {
    expect(common.alpn_protocols).toEqual(['h2']);
    expect(common.tls_params.tls_minimum_protocol_version).toMatch(/^TLSv1_[23]$/);
  });

  it.each(['sds-semroute-client.yaml', 'sds-semroute-ca.yaml'])('envoy/tls/%s holds valid v3 Secret resources', (file) => {
    expect(existsSync(`envoy/tls/${file}`)).toBe(true);
    const resources: any[] = parse(readFileSync(`envoy/tls/${file}`, 'utf8')).resources;
    expect(resources.length).toBe(1);
    resources.forEach((r, i) => expect(validateAny(r, `${file} resources[${i}]`)).toEqual([]));
  });

  it('agrees with semroute-mtls.yaml: the listener port, TLS 1.2+, client certificates required', () => {
    const semroute = loadConfigFile('deploy/local/semroute-mtls.yaml');
    const listener = semroute.listeners.grpc;
    const port = Number(listener.address.split(':').pop());
    expect(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(port);
    expect(listener.tls?.client_ca_file).toBeDefined();
    expect(listener.tls?.min_version).toBe('TLSv1.2');
  });

  it('semroute-mtls.yaml is deploy/local/semroute.yaml plus listeners.grpc.tls', () => {
    const plain = loadConfigFile('deploy/local/semroute.yaml');
    const mtls = loadConfigFile('deploy/local/semroute-mtls.yaml');
    expect(mtls.listeners.grpc.tls).toBeDefined();
    const grpc = { ...mtls.listeners.grpc };
    delete grpc.tls;
    expect({ ...mtls, listeners: { ...mtls.listeners, grpc } }).toEqual(plain);
  });
});

describe('the field tables catch what Envoy would refuse', () => {
  it.each([
    ['an unknown field', { ...tls, verify_subject_alt_name: ['x'] }, /unknown field of UpstreamTlsContext/],
    ['a misspelt nested field', { ...tls, common_tls_context: { ...common, alpn_protocol: ['h2'] } }, /alpn_protocol: unknown field/],
    ['a wrong enum', { ...tls, common_tls_context: { ...common, tls_params: { tls_minimum_protocol_version: 'TLS1_2' } } }, /not one of/],
    ['two validation contexts', { ...tls, common_tls_context: { ...common, validation_context: { trusted_ca: { filename: '/ca' } } } }, /at most one of validation_context/],
    ['a SAN matcher without a type', { ...tls, common_tls_context: { ...common, combined_validation_context: { ...common.combined_validation_context, default_validation_context: { match_typed_subject_alt_names: [{ matcher: { exact: 'x' } }] } } } }, /san_type is required/],
    ['an SDS config without a source', { ...tls, common_tls_context: { ...common, tls_certificate_sds_secret_configs: [{ name: 'x', sds_config: { resource_api_version: 'V3' } }] } }, /path or path_config_source .* is required/],
  ])('%s', (_name, broken, message) => {
    const errors = validateMessage('UpstreamTlsContext', broken);
    expect(errors.join('\n')).toMatch(message);
  });
});
