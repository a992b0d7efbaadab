import { describe, expect, it } from '@jest/globals';
import { substituteEnv } from '../../../src/config/env.js';
import { formatIssue, type ConfigIssue } from '../../../src/config/issues.js';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { baseConfigDoc } from '../../helpers/config.js';

const env = { HOST: 'redis.internal', PORT: '6380', EMPTY: '', YES: 'true', YAMLY: '{a: 1}', SPACED: 'a: b' };

function sub(value: unknown): { value: unknown; issues: string[] } {
  const issues: ConfigIssue[] = [];
  const out = substituteEnv({ v: value }, env, issues) as { v: unknown };
  return { value: out.v, issues: issues.map(formatIssue) };
}

describe('${VAR} substitution', () => {
  it.each<[string, unknown, unknown]>([
    ['inside a string', 'redis://${HOST}:${PORT}/0', 'redis://redis.internal:6380/0'],
    ['a whole reference keeps its YAML type (number)', '${PORT}', 6380],
    ['a whole reference keeps its YAML type (boolean)', '${YES}', true],
    ['a default when unset', '${NOPE:-fallback}', 'fallback'],
    ['a default when set but empty', '${EMPTY:-x}', 'x'],
    ['an empty default', '${NOPE:-}', ''],
    ['a default typed as a number', '${NOPE:-42}', 42],
    ['$${ escapes', 'price $${NOT_A_VAR}', 'price ${NOT_A_VAR}'],
    ['a value that looks like YAML structure stays a string', '${YAMLY}', '{a: 1}'],
    ['a value with ": " stays a string', '${SPACED}', 'a: b'],
    ['non-strings untouched', 7, 7],
  ])('%s', (_name, input, expected) => {
    expect(sub(input)).toEqual({ value: expected, issues: [] });
  });

  it('reports an unset variable with the path where it is used', () => {
    const issues: ConfigIssue[] = [];
    substituteEnv({ state: { redis: { url: 'redis://${REDIS_HOST}' } }, list: ['${X}'] }, {}, issues);
    expect(issues.map(formatIssue)).toEqual([
      'state.redis.url: environment variable REDIS_HOST is not set (write ${REDIS_HOST:-default} for a default)',
      'list[0]: environment variable X is not set (write ${X:-default} for a default)',
    ]);
  });

  it('reports a malformed reference', () => {
    expect(sub('${1BAD}').issues[0]).toContain('malformed ${...} reference');
    expect(sub('${OPEN').issues[0]).toContain('malformed');
  });

  it('applies to whole configs: a typed port and a listener', () => {
    const doc = baseConfigDoc();
    doc.listeners = { grpc: { address: '${GRPC_ADDR:-127.0.0.1:50051}' } };
    doc.security = { max_body_bytes: '${MAX_BODY}' };
    const cfg = parseConfig(doc, { env: { MAX_BODY: '1048576' } });
    expect(cfg.listeners.grpc.address).toBe('127.0.0.1:50051');
    expect(cfg.security.max_body_bytes).toBe(1048576);
    expect(() => parseConfig(doc, { env: {} })).toThrow(ConfigError);
  });
});
