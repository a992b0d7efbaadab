// The admin config API with bearer tokens and roles, over real HTTP: viewers read, admins reload,
// tokens rotate with the config, probes and metrics stay open.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';
import { contentHash } from '../../../src/config/reload.js';
import { startRouter, type RunningRouter } from '../../../src/cli/router.js';
import { baseConfigDoc } from '../../helpers/config.js';
import { RecordingLogger } from '../../helpers/fakes.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const ADMIN2 = 'rotated-admin-token-0123456789';

let dir: string;
let file: string;
let router: RunningRouter;

function writeConfig(adminToken: string, change?: (d: any) => void) {
  writeFileSync(path.join(dir, 'admin-token'), `${adminToken}\n`);
  const doc = baseConfigDoc() as any;
  doc.security = { admin_tokens: [{ token: VIEWER, role: 'viewer' }, { token_file: 'admin-token', role: 'admin' }] };
  change?.(doc);
  writeFileSync(file, stringify(doc));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-admin-'));
  file = path.join(dir, 'semroute.yaml');
  writeConfig(ADMIN);
  router = await startRouter({
    config: loadConfigFile(file),
    configFile: { path: file, hash: contentHash(file) },
    grpcListen: '127.0.0.1:0',
    adminListen: '127.0.0.1:0',
    logger: new RecordingLogger(),
  });
});
afterAll(async () => {
  await router.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (method: string, p: string, token?: string) => {
  const res = await fetch(`${router.adminUrl}${p}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any, auth: res.headers.get('www-authenticate') };
};

describe('admin config API', () => {
  it('keeps probes and metrics open', async () => {
    expect((await fetch(`${router.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${router.adminUrl}/metrics`)).status).toBe(200);
  });

  it('asks for a bearer token, and refuses unknown ones', async () => {
    const none = await call('GET', '/v1/config');
    expect(none.status).toBe(401);
    expect(none.auth).toBe('Bearer');
    expect(none.body.error.type).toBe('authentication_error');
    expect((await call('GET', '/v1/config', 'wrong-token-xxxxxxxxxxxxxxx')).status).toBe(401);
  });

  it('lets a viewer read the config status but not reload', async () => {
    const r = await call('GET', '/v1/config', VIEWER);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ file, generation: 1, hash: contentHash(file) });
    const denied = await call('POST', '/v1/config/reload', VIEWER);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('this needs an admin token');
  });

  it('lets an admin reload; the new config rotates the tokens', async () => {
    writeConfig(ADMIN2, (d) => (d.routing.default_model = 'large'));
    const r = await call('POST', '/v1/config/reload', ADMIN);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ applied: true, generation: 2 });
    expect(router.snapshot().config.routing.default_model).toBe('large');
    expect((await call('GET', '/v1/config', ADMIN)).status).toBe(401);
    expect((await call('GET', '/v1/config', ADMIN2)).status).toBe(200);
  });

  it('answers 422 with the problems when the file is refused, and keeps the running config', async () => {
    writeFileSync(file, 'version: v1\nmodels: []\n');
    const r = await call('POST', '/v1/config/reload', ADMIN2);
    expect(r.status).toBe(422);
    expect(r.body.applied).toBe(false);
    expect(r.body.lastAttempt.issues[0].path).toBe('models');
    expect(r.body.generation).toBe(2);
    expect(router.snapshot().config.routing.default_model).toBe('large');
  });

  it('is off when no tokens are configured', async () => {
    writeFileSync(file, stringify(baseConfigDoc()));
    expect((await call('POST', '/v1/config/reload', ADMIN2)).status).toBe(200);
    const r = await call('GET', '/v1/config', ADMIN2);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('configure security.admin_tokens');
  });
});
