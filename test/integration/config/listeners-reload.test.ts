// A reload that changes listener settings (TLS, socket mode) is applied for routing; reload.ts
// says the listeners keep theirs until a restart, and no TLS listener appears mid-run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startRouter, type RunningRouter } from '../../../src/cli/router.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { contentHash } from '../../../src/config/reload.js';
import { baseConfigDoc } from '../../helpers/config.js';
import { RecordingLogger } from '../../helpers/fakes.js';

describe('reloading listener settings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'semroute-listeners-'));
  const file = path.join(dir, 'semroute.yaml');
  const logger = new RecordingLogger();
  let router: RunningRouter;
  const warned = () => logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('listeners changed')).length;

  beforeAll(async () => {
    writeFileSync(file, stringify(baseConfigDoc()));
    router = await startRouter({ config: loadConfigFile(file), configFile: { path: file, hash: contentHash(file) }, grpcListen: '127.0.0.1:0', adminListen: 'off', logger, shutdownGraceMs: 100 });
  });
  afterAll(async () => {
    await router.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns when they change, not when something else does', async () => {
    const doc = baseConfigDoc() as any;
    doc.routing.default_decision = 'coding';
    writeFileSync(file, stringify(doc));
    expect(await router.reload()).toBe(true);
    expect(warned()).toBe(0);
    doc.listeners = { grpc: { tls: { cert_file: 'tls.crt', key_file: 'tls.key' } } };
    writeFileSync(file, stringify(doc));
    expect(await router.reload()).toBe(true);
    expect(warned()).toBe(1);
    expect(router.tls.grpc).toBeUndefined();
  });
});
