// ConfigReloader over a real file: applies valid changes, rejects invalid ones and keeps the old
// config, follows file replacement (editors, ConfigMap symlink swaps), and SIGHUP-style calls.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../../../src/config/issues.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { ConfigReloader, contentHash } from '../../../src/config/reload.js';
import type { Config } from '../../../src/config/schema.js';
import { baseConfigDoc } from '../../helpers/config.js';
import { RecordingLogger } from '../../helpers/fakes.js';
import { until } from '../../helpers/until.js';

let dir: string;
let file: string;
let reloader: ConfigReloader<Config> | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-reload-'));
  file = path.join(dir, 'semroute.yaml');
  writeFileSync(file, stringify(baseConfigDoc()));
});
afterEach(() => {
  reloader?.close();
  rmSync(dir, { recursive: true, force: true });
});

function withDefaultDecision(name: string): string {
  const doc = baseConfigDoc() as any;
  doc.decisions[1].name = name;
  doc.routing.default_decision = name;
  return stringify(doc);
}

function setup(build: (cfg: Config) => Promise<Config> = (c) => Promise.resolve(c)) {
  const applied: Config[] = [];
  const results: string[] = [];
  const logger = new RecordingLogger();
  reloader = new ConfigReloader<Config>({
    file,
    initial: { config: loadConfigFile(file), hash: contentHash(file) },
    build,
    apply: (built) => applied.push(built),
    logger,
    metrics: { recordReload: (r) => results.push(r) },
    debounceMs: 20,
  });
  return { reloader, applied, results, logger };
}

/** Resolves once the reloader has handled a file event that changed nothing (it logs that at debug). */
const skipped = (logger: RecordingLogger, content: 'in use' | 'rejected') => {
  const seen = logger.lines.length;
  return until(
    () => logger.lines.slice(seen).some((l) => l.msg === 'config folder changed; content unchanged, not reloading' && l.fields?.content === content),
    10_000,
    'the file event handled',
  );
};

describe('ConfigReloader', () => {
  it('applies a valid config and counts it', async () => {
    const { reloader, applied, results } = setup();
    writeFileSync(file, withDefaultDecision('everything-else'));
    await expect(reloader.reload('signal')).resolves.toBe(true);
    expect(applied.map((c) => c.routing.default_decision)).toEqual(['everything-else']);
    expect(results).toEqual(['success']);
    expect(reloader.status()).toMatchObject({ generation: 2, hash: contentHash(file), lastAttempt: { ok: true, trigger: 'signal' } });
  });

  it('rejects an invalid config, keeps the old one, and reports the paths', async () => {
    const { reloader, applied, results, logger } = setup();
    const before = reloader.status();
    writeFileSync(file, 'version: v1\nmodels: [{ name: a }]\ndecisions: [{ name: d, rules: { any: [nope] }, models: [{ model: a }] }]\n');
    await expect(reloader.reload('signal')).resolves.toBe(false);
    expect(applied).toEqual([]);
    expect(results).toEqual(['rejected']);
    const status = reloader.status();
    expect(status.generation).toBe(before.generation);
    expect(status.hash).toBe(before.hash);
    expect(status.lastAttempt?.issues).toEqual([{ path: 'decisions[0].rules.any[0]', message: 'unknown signal "nope" (known: none)' }]);
    const err = logger.lines.find((r) => r.level === 'error');
    expect(err?.msg).toContain('config reload rejected');
    expect(JSON.stringify(err?.fields)).toContain('decisions[0].rules.any[0]');
  });

  it('rejects a config whose build fails, without applying it', async () => {
    const { reloader, applied } = setup(() => Promise.reject(new ConfigError('cannot build', [{ path: 'inference.models.domain', message: 'model.onnx missing' }])));
    writeFileSync(file, withDefaultDecision('x'));
    await expect(reloader.reload('admin')).resolves.toBe(false);
    expect(applied).toEqual([]);
    expect(reloader.status().lastAttempt?.issues[0]?.message).toBe('model.onnx missing');
  });

  it('follows the file when it is replaced by rename, and ignores events that change nothing', async () => {
    const { reloader, applied, results, logger } = setup();
    reloader.watch();
    const handled = skipped(logger, 'in use');
    writeFileSync(path.join(dir, 'unrelated.txt'), 'x'); // an event in the folder, same config content
    await handled;
    expect(results).toEqual([]);

    const tmp = path.join(dir, '.semroute.yaml.tmp');
    writeFileSync(tmp, withDefaultDecision('renamed'));
    renameSync(tmp, file);
    await until(() => applied.length === 1);
    expect(applied[0]!.routing.default_decision).toBe('renamed');
  });

  it('does not retry the same rejected content on every file event', async () => {
    const { reloader, results, logger } = setup();
    reloader.watch();
    writeFileSync(file, 'version: v1\nmodels: []\n');
    await until(() => results.length === 1);
    const handled = skipped(logger, 'rejected');
    writeFileSync(path.join(dir, 'other'), 'touch');
    await handled;
    expect(results).toEqual(['rejected']);
    writeFileSync(file, withDefaultDecision('fixed'));
    await until(() => results.length === 2);
    expect(results).toEqual(['rejected', 'success']);
  });

  it('serialises overlapping reloads and runs the last request after the running one', async () => {
    let builds = 0;
    const { reloader, applied } = setup(async (c) => {
      builds++;
      // A build that takes a while. Its length does not matter: the second reload below is asked
      // for synchronously, while the first build is still pending whatever it takes.
      await new Promise((r) => setTimeout(r, 30));
      return c;
    });
    writeFileSync(file, withDefaultDecision('one'));
    const first = reloader.reload('signal');
    writeFileSync(file, withDefaultDecision('two'));
    void reloader.reload('signal');
    await first;
    await until(() => applied.length === 2);
    expect(builds).toBe(2);
    expect(applied.map((c) => c.routing.default_decision)).toEqual(['one', 'two']);
  });
});
