// Snapshots and the default models: a snapshot loads what its signals need through the pool,
// reloads reuse unchanged models, retired ones close, and build problems carry config paths.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, formatIssue } from '../../../src/config/issues.js';
import { parseConfig } from '../../../src/config/load.js';
import { ModelPool, modelSpecFor } from '../../../src/pipeline/model-pool.js';
import { buildSnapshot } from '../../../src/pipeline/snapshot.js';
import { baseConfigDoc } from '../../helpers/config.js';
import { until } from '../../helpers/until.js';

/** Resolves when the pool logs that a model was retired (closed once no snapshot holds it). */
const retired: Array<() => void> = [];
const nextRetirement = () => new Promise<void>((resolve) => retired.push(resolve));
const logger = {
  info: (msg: string) => msg.startsWith('model retired') && retired.shift()?.(),
  warn: () => undefined,
};
const pool = new ModelPool(logger, 50);
afterAll(() => pool.close());

function mathsConfig(change?: (d: any) => void) {
  const doc = baseConfigDoc() as any;
  doc.signals.domain = [{ name: 'math', labels: ['math'], threshold: 0.5 }];
  doc.decisions.unshift({ name: 'maths', priority: 200, rules: { any: ['math'] }, models: [{ model: 'large' }] });
  change?.(doc);
  return parseConfig(doc);
}

async function buildIssues(cfg: ReturnType<typeof mathsConfig>): Promise<string[]> {
  try {
    (await buildSnapshot(cfg, 'test', { pool })).release();
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
}

describe('snapshots with models', () => {
  it('loads only the models used signals need, and routes with them', async () => {
    const snap = await buildSnapshot(mathsConfig(), 'test', { pool });
    expect(pool.size).toBe(1);
    const ir = (text: string) => ({ protocol: 'openai.chat' as const, model: 'auto', stream: false, messages: [{ role: 'user' as const, text, toolCalls: 0 }], hasTools: false, tools: [], maxOutputTokens: undefined, body: {} });
    expect((await snap.router.decide(ir('Solve for x: 3x + 7 = 22. What is x?'))).decision).toBe('maths');
    expect((await snap.router.decide(ir('Who painted the Sistine Chapel ceiling?'))).decision).toBe('general');
    snap.release();
  });

  it('reuses an unchanged model across rebuilds and closes it once no snapshot holds it', async () => {
    const cfg = mathsConfig();
    const a = await pool.acquire([modelSpecFor(cfg, 'domain')]);
    const b = await pool.acquire([modelSpecFor(mathsConfig((d) => (d.signals.domain[0].threshold = 0.9)), 'domain')]);
    expect(b.models.get('domain')).toBe(a.models.get('domain'));
    const handle = a.models.get('domain')!;
    // Earlier tests' models retire on their own timers: wait for this one's.
    await until(() => pool.size === 1, 10_000, 'earlier models retired');
    const closed = nextRetirement();
    a.release();
    b.release();
    await closed;
    expect(pool.size).toBe(0);
    await expect((handle as any).classify('anything')).rejects.toMatchObject({ code: 'closed' });
  });

  it('models with the same tokenizer files share one tokenizer and its recent encodings', async () => {
    const cfg = mathsConfig();
    const lease = await pool.acquire([modelSpecFor(cfg, 'domain'), modelSpecFor(cfg, 'jailbreak')]);
    const domain = lease.models.get('domain')!;
    const jailbreak = lease.models.get('jailbreak')!;
    expect(domain.tokenizer).toBe(jailbreak.tokenizer);
    const text = 'Explain the derivative of sin(x).';
    expect(domain.tokenizer.encode(text)).toBe(jailbreak.tokenizer.encode(text));
    expect(domain.tokenizer.encode(text).ids.length).toBeGreaterThan(4);
    lease.release();
  });

  it('a different spec (another batch size) is a different model', async () => {
    const a = await pool.acquire([modelSpecFor(mathsConfig(), 'domain')]);
    const b = await pool.acquire([modelSpecFor(mathsConfig((d) => (d.inference = { batching: { max_batch_size: 4 } })), 'domain')]);
    expect(b.models.get('domain')).not.toBe(a.models.get('domain'));
    a.release();
    b.release();
  });

  it('reports a label the model does not have, with the signal path', async () => {
    const issues = await buildIssues(mathsConfig((d) => (d.signals.domain[0].labels = ['mathematics'])));
    expect(issues[0]).toMatch(/^signals\.domain\[0\]: labels "mathematics" are not in model "domain" \(labels: biology, business, /);
  });

  it('reports a model folder that cannot be loaded, with the inference path, and caches no failure', async () => {
    const cfg = mathsConfig((d) => (d.inference = { models: { domain: { path: '/nonexistent/model', task: 'sequence-classification' } } }));
    // A pool of its own: the shared one still holds earlier tests' models on retirement timers,
    // so its size moves on its own (this test used to race them).
    const own = new ModelPool(logger, 50);
    try {
      let issues: string[] = [];
      try {
        (await buildSnapshot(cfg, 'test', { pool: own })).release();
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        issues = e.issues.map(formatIssue);
      }
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^inference\.models\.domain: model domain: .*\/nonexistent\/model/);
      // The failed load was dropped when the build failed, not cached.
      expect(own.size).toBe(0);
    } finally {
      await own.close();
    }
  });
});
