import { describe, expect, it } from '@jest/globals';
import { chooseMode, parseKubeVersion } from '../../../src/inject/mode.js';

describe('--sidecar-mode auto', () => {
  it.each([
    ['v1.33.1', 'native'],
    ['v1.29.0-eks-abc', 'native'],
    ['1.28', 'regular'],
    ['v1.27.16+k3s1', 'regular'],
  ])('Kubernetes %s from the API server: %s', async (version, mode) => {
    const c = await chooseMode('auto', { readVersion: () => Promise.resolve(version) });
    expect(c.mode).toBe(mode);
    expect(c.why).toMatch(/from the API server/);
  });

  it('--kube-version wins over the API server', async () => {
    let asked = false;
    const c = await chooseMode('auto', { kubeVersion: '1.28', readVersion: () => ((asked = true), Promise.resolve('v1.33.0')) });
    expect(c).toEqual({ mode: 'regular', why: 'auto: Kubernetes 1.28 from --kube-version < 1.29' });
    expect(asked).toBe(false);
  });

  it('an unreadable version falls back to a regular container and says why', async () => {
    const c = await chooseMode('auto', { readVersion: () => Promise.reject(new Error('connection refused')) });
    expect(c).toEqual({ mode: 'regular', why: 'auto: cluster version unknown (connection refused), a regular container works everywhere' });
    expect((await chooseMode('auto', { kubeVersion: 'latest' })).mode).toBe('regular');
  });

  it('native and regular are taken as given', async () => {
    expect(await chooseMode('native', { kubeVersion: '1.20' })).toEqual({ mode: 'native', why: '--sidecar-mode native' });
    expect((await chooseMode('regular', {})).mode).toBe('regular');
  });

  it('parses gitVersion and major/minor spellings', () => {
    expect(parseKubeVersion('v1.30.2-gke.1')).toEqual({ major: 1, minor: 30 });
    expect(parseKubeVersion('garbage')).toBeUndefined();
  });
});
