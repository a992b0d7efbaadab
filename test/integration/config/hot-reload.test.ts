// Hot reload under live traffic through the local gateway: valid changes take effect, an invalid
// one is rejected and the old routing stays, and not one client request fails along the way.
// A stream that started before a reload finishes on the config it started with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigDoc } from '../../helpers/config.js';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { until } from '../../helpers/until.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, setHeaders } from '../../helpers/wire.js';

let dir: string;
let file: string;
let stack: E2EStack;
let ports: { small: number; large: number };

/** The base config with `coding` sent to `codingModel`. */
function configFor(codingModel: 'small' | 'large', extra?: (d: any) => void): string {
  const doc = baseConfigDoc() as any;
  doc.models[0].endpoints = [`127.0.0.1:${ports.small}`];
  doc.models[1].endpoints = [`127.0.0.1:${ports.large}`];
  doc.decisions[0].models = [{ model: codingModel }];
  extra?.(doc);
  return stringify(doc);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-hot-'));
  file = path.join(dir, 'semroute.yaml');
  stack = await startE2EStack(undefined, file);
  ports = { small: stack.small.port, large: stack.large.port };
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const CODING = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'my python function crashes' }] });
const GENERAL = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'capital of France?' }] });

async function send(body: string) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return { status: res.status, model: res.headers.get('x-semroute-model'), upstream: res.headers.get('x-upstream') };
}

/** Waits for the reload to take effect: a coding request goes to `model`. */
const codingModelIs = (model: string) => until(async () => (await send(CODING)).model === model, 20_000, `coding sent to ${model}`);

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.dev.router.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

describe('hot reload', () => {
  it('applies valid configs and rejects an invalid one under continuous traffic, failing no request', async () => {
    expect((await send(CODING)).model).toBe('large');

    // Continuous traffic from 6 clients until told to stop.
    const results: Array<{ status: number; model: string | null; upstream: string | null }> = [];
    let stop = false;
    const clients = Array.from({ length: 6 }, async (_, i) => {
      while (!stop) results.push(await send(i % 2 ? CODING : GENERAL));
    });

    writeFileSync(file, configFor('small'));
    await codingModelIs('small');

    writeFileSync(file, configFor('large', (d) => (d.decisions[0].rules = { any: ['mathy'] })));
    await until(async () => (await metric('semroute_config_reloads_total{result="rejected"}')) === 1, 20_000, 'reload rejected');
    // The old config still routes.
    for (let i = 0; i < 10; i++) expect((await send(CODING)).model).toBe('small');
    const ready = await fetch(`${stack.dev.router.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('reload rejected at');
    expect(await metric('semroute_config_last_reload_successful')).toBe(0);

    writeFileSync(file, configFor('large'));
    await codingModelIs('large');
    expect(await metric('semroute_config_last_reload_successful')).toBe(1);

    stop = true;
    await Promise.all(clients);
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // Every answer came from the upstream the router named: no request was mis-sent mid-swap.
    expect(results.filter((r) => r.model !== r.upstream)).toEqual([]);
    expect(await metric('semroute_config_reloads_total{result="success"}')).toBe(2);
    expect(stack.dev.router.reloadStatus()?.generation).toBe(3);
  }, 30_000);

  it('lets a stream that started before a reload finish on the config it started with', async () => {
    const client = extProcClient(stack.dev.router.grpcAddress);
    try {
      const call = openCall(client);
      await call.send(requestHeaders({ ...chatHeaders, 'content-length': String(Buffer.byteLength(CODING)) }));

      writeFileSync(file, configFor('small'));
      await expect(stack.dev.router.reload('signal')).resolves.toBe(true);
      expect(stack.dev.router.snapshot().config.decisions[0]!.models[0]!.model).toBe('small');

      const answer = await call.send(requestBody(CODING));
      expect(new Map(setHeaders(commonOf(answer)?.header_mutation)).get('x-semroute-model')).toBe('large');
      call.cancel();
      // A new request takes the new config.
      expect((await send(CODING)).model).toBe('small');
    } finally {
      client.close();
    }
  });
});
