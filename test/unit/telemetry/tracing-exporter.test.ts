// Where OTLP/HTTP spans go: a bare collector URL gets the traces path, a URL with a path is used as given.
import { describe, expect, it } from '@jest/globals';
import { tracesUrl } from '../../../src/telemetry/tracing/exporter.js';
import { testConfig } from '../../helpers/config.js';

describe('tracesUrl', () => {
  it.each([
    ['http://otel-collector:4318', 'http://otel-collector:4318/v1/traces'],
    ['http://otel-collector:4318/', 'http://otel-collector:4318/v1/traces'],
    ['https://otlp.example.com/otlp/v1/traces', 'https://otlp.example.com/otlp/v1/traces'],
    ['http://10.0.0.1:4318/custom', 'http://10.0.0.1:4318/custom'],
  ])('%s -> %s', (endpoint, url) => expect(tracesUrl(endpoint)).toBe(url));
});

describe('telemetry.tracing in the schema', () => {
  it('defaults: off, http/protobuf, parent-based 5%, no content', () => {
    expect(testConfig().telemetry.tracing).toEqual({
      otlp_endpoint: '',
      protocol: 'http/protobuf',
      headers: {},
      sample_ratio: 0.05,
      parent_based: true,
      service_name: 'semroute',
      capture_content: false,
      max_queue_size: 2048,
      export_timeout_ms: 10_000,
    });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the path', () => {
    expect(() => testConfig((d) => (d.telemetry = { tracing: { otlp_endpoint: 'grpc://collector:4317' } }))).toThrow(/telemetry\.tracing\.otlp_endpoint/);
  });
});
