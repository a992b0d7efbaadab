// The endpoint picker end to end: three fake vLLMs (src/dev/fake-vllm.ts) whose reported load the
// test changes, semroute over real gRPC, and the local gateway's ORIGINAL_DST route. Waits are on
// the event meant (requests land on the expected endpoint), never on a sleep.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDev, type DevStack } from '../../../src/cli/dev.js';
import { parseConfig } from '../../../src/config/load.js';
import { startFakeVllm, type FakeVllm } from '../../../src/dev/fake-vllm.js';
import { baseConfigDoc } from '../../helpers/config.js';
import { RecordingLogger } from '../../helpers/fakes.js';
import { until } from '../../helpers/until.js';

let fleet: FakeVllm[] = [];
let dev: DevStack;
/** An endpoint that refuses connections (a pod gone between two DNS rounds). */
let dead = '';

beforeAll(async () => {
  fleet = await Promise.all(['a', 'b', 'c'].map((name) => startFakeVllm({ name, engine: { prefillMsPerToken: 0, decodeMsPerToken: 0 } })));
  const doc = baseConfigDoc() as any;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  dead = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((r) => probe.close(r));
  const eps = [...fleet.map((f) => f.address), dead];
  doc.models[0].endpoints = eps;
  doc.models[1].endpoints = eps;
  doc.routing.mode = 'endpoint';
  doc.routing.endpoint_picker = {
    scrape: { interval_ms: 20, staleness_ms: 500 },
    filters: [{ type: 'healthy' }, { type: 'subset' }, { type: 'saturated', max_waiting: 10, max_kv_usage: 0.95 }],
    scorers: [{ type: 'queue', weight: 2 }, { type: 'kv_cache', weight: 1 }, { type: 'prefix', weight: 1 }],
    sheddable_decisions: ['general'],
    fallbacks: 2,
  };
  dev = await startDev({ config: parseConfig(doc), listen: { host: '127.0.0.1', port: 0 }, fakeUpstreams: false, grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: new RecordingLogger() });
});

afterAll(async () => {
  await dev?.close();
  await Promise.all(fleet.map((f) => f.close()));
});

function set(name: string, o: FakeVllm['override']): void {
  fleet.find((f) => f.name === name)!.override = o;
}

async function ask(text = 'hello there', model = 'auto'): Promise<{ status: number; upstream: string | null; body: any }> {
  const res = await fetch(`${dev.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: 'user', content: text }] }),
  });
  return { status: res.status, upstream: res.headers.get('x-upstream'), body: await res.json() };
}

/** Sends until a request lands on `name` (the picker has seen the new metrics), then checks the next ones stay there. */
async function settlesOn(name: string): Promise<void> {
  await until(async () => (await ask()).upstream === name, 10_000, `requests on ${name}`);
  for (let i = 0; i < 5; i++) expect((await ask()).upstream).toBe(name);
}

// Each test waits for scrapes with 10 s deadlines; jest's own 5 s must not cut them first.
jest.setTimeout(30_000);

describe('endpoint picker over several fake vLLMs', () => {
  it('follows the scraped load as it changes', async () => {
    set('a', { waiting: 30 });
    set('b', { waiting: 4, kvUsage: 0.6 });
    set('c', { waiting: 0, kvUsage: 0.1 });
    await settlesOn('c');
    set('a', { waiting: 0, kvUsage: 0 });
    set('c', { waiting: 40 });
    await settlesOn('a');
  });

  it('sends the pick and its fallbacks as one ordered list, the served endpoint first', async () => {
    set('a', { waiting: 0, kvUsage: 0 });
    set('b', { waiting: 3, kvUsage: 0.5 });
    set('c', { waiting: 6, kvUsage: 0.9 });
    await settlesOn('a');
    // Ordered by score: a (idle), b, c; the dead endpoint (scrape failing) is filtered out. Wait
    // until the picker has scraped all of it (on a busy machine b's and c's new load, or the dead
    // endpoint's failure, may come a scrape later than a's).
    const ordered = fleet.map((f) => f.address).join(',');
    await until(async () => (await ask()).status === 200 && fleet[0]!.lastDestination === ordered, 10_000, 'the ordered list');
    const before = fleet.map((f) => f.received);
    const r = await ask();
    expect(r.status).toBe(200);
    expect(fleet.map((f, i) => f.received - before[i]!)).toEqual([1, 0, 0]);
    expect(fleet[0]!.lastDestination).toBe(ordered);
  });

  it('sheds a sheddable request with 429 when every endpoint is saturated, and serves the others', async () => {
    for (const n of ['a', 'b', 'c']) set(n, { waiting: 50 });
    await until(async () => (await ask()).status === 429, 10_000, 'shedding');
    const shed = await ask();
    expect(shed.status).toBe(429);
    expect(shed.body.error).toMatchObject({ type: 'rate_limit_error', code: 'overloaded' });
    // The coding decision is not sheddable: it still goes through.
    const client = new OpenAI({ baseURL: `${dev.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ok = await client.chat.completions.create({ model: 'auto', max_tokens: 4, messages: [{ role: 'user', content: 'debug my python function' }] });
    expect(ok.choices[0]!.message.content).toBe('x done');
    await expect(client.chat.completions.create({ model: 'auto', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 429 });
    // An Anthropic Messages request is refused in Anthropic's error shape.
    const anthropic = new Anthropic({ baseURL: dev.gateway.url, apiKey: 'x', maxRetries: 0 });
    await expect(anthropic.messages.create({ model: 'auto', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 429,
      error: { type: 'error', error: { type: 'rate_limit_error' } },
    });
  });

  it('keeps routing when every scrape fails (all stale: scored as unknown, never refused)', async () => {
    for (const n of ['a', 'b', 'c']) set(n, { broken: true });
    const live = dev.router.snapshot().live!;
    await until(() => live.of('small')!.scraper.stats().every((s) => !s.fresh), 10_000, 'all unknown');
    const text = await dev.router.metrics.render();
    for (const f of fleet) {
      expect(text).toContain(`semroute_endpoint_metrics_fresh{model="small",endpoint="${f.address}"} 0`);
      expect(text).toMatch(new RegExp(`semroute_endpoint_scrapes_total\\{model="small",endpoint="${f.address}",outcome="error"\\} [1-9]`));
    }
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => ask()));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // All unknown: the dead endpoint is a candidate again. When it is picked first, the gateway
    // (Envoy's retry policy) walks on to the next in the list and the request still succeeds.
    await until(async () => {
      const r = await ask();
      expect(r.status).toBe(200);
      return fleet.some((f) => f.lastDestination?.startsWith(`${dead},`));
    }, 10_000, 'a request whose pick was the dead endpoint');
    for (const n of ['a', 'b', 'c']) set(n, {});
  });

  it('prefix affinity: a long shared prompt returns to the endpoint that holds it', async () => {
    for (const n of ['a', 'b', 'c']) set(n, { waiting: 0, kvUsage: 0.2 });
    const live = dev.router.snapshot().live!;
    await until(() => live.of('small')!.scraper.stats().every((s) => s.fresh || s.endpoint === dead), 10_000, 'all live ones fresh');
    const doc = `${'The quarterly report says revenue grew. '.repeat(60)}`;
    const first = await ask(`${doc} Question one?`);
    for (let i = 0; i < 5; i++) expect((await ask(`${doc} Question ${i + 2}?`)).upstream).toBe(first.upstream);
  });
});
