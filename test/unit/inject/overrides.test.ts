import { describe, expect, it } from '@jest/globals';
import { defaultSettings } from '../../../src/inject/defaults.js';
import { resolveSettings } from '../../../src/inject/overrides.js';

const defaults = defaultSettings('1.2.3', 'native');

describe('override annotations', () => {
  it('no annotations: the defaults', () => {
    expect(resolveSettings({}, defaults)).toEqual({ ok: true, settings: defaults });
    expect(defaults.image).toBe('ghcr.io/example/semroute:1.2.3');
  });

  it('each valid override applies', () => {
    const r = resolveSettings(
      {
        'semroute.io/image': 'registry.local/semroute@sha256:' + 'a'.repeat(64),
        'semroute.io/config-map': 'router-config',
        'semroute.io/cpu-request': '250m',
        'semroute.io/memory-limit': '2Gi',
        'semroute.io/cpu-limit': '2',
        'semroute.io/log-level': 'warn',
        'semroute.io/listen': '127.0.0.1:50051',
        'semroute.io/sidecar-mode': 'regular',
        'other.io/ignored': 'x',
      },
      defaults,
    );
    expect(r.ok && r.settings).toMatchObject({
      configMap: 'router-config',
      resources: { cpuRequest: '250m', memoryRequest: '512Mi', memoryLimit: '2Gi', cpuLimit: '2' },
      logLevel: 'warn',
      listen: '127.0.0.1:50051',
      mode: 'regular',
    });
  });

  it.each([
    ['semroute.io/listen', 'unix:/tmp/x.sock', /unix:\/run\/semroute\/NAME\.sock or 127\.0\.0\.1:PORT/],
    ['semroute.io/listen', '0.0.0.0:50051', /not unix:/],
    ['semroute.io/admin-port', '70000', /semroute\.io\/admin-port/],
    ['semroute.io/admin-port', '9901', /also Envoy's admin port/],
    ['semroute.io/image', 'bad image', /image reference/],
    ['semroute.io/config-map', 'Not_A_Name', /DNS-1123/],
    ['semroute.io/memory-request', '1 GB', /Kubernetes quantity/],
    ['semroute.io/imagee', 'x', /unknown annotation/],
  ])('%s=%s is refused', (key, val, why) => {
    const r = resolveSettings({ [key]: val }, defaults);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('; ')).toMatch(why);
  });

  it('reports every problem at once', () => {
    const r = resolveSettings({ 'semroute.io/log-level': 'loud', 'semroute.io/cpu-limit': 'x' }, defaults);
    expect(!r.ok && r.problems).toHaveLength(2);
  });
});
