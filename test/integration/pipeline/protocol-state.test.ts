// Anthropic and Responses requests against shared state on a real redis-server: a translated
// Responses answer is stored and its previous_response_id expands into the whole conversation
// (on another "replica" too: a second store on the same Redis), the chain stays on its model, and
// the semantic cache replays an answer in the client's own protocol, JSON and SSE, partitioned by
// protocol and system prompt.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisSchema } from '../../../src/config/schema/state.js';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { ResponsePath } from '../../../src/pipeline/response-path.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { loadResponse } from '../../../src/pipeline/stored-responses.js';
import type { StateContext } from '../../../src/pipeline/state-context.js';
import type { Protocol } from '../../../src/protocol/ir.js';
import { SseParser } from '../../../src/protocol/sse.js';
import { RedisStateStore } from '../../../src/state/redis.js';
import { bagEmbedder } from '../../helpers/bag-embedder.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';

const snap = new RoutingSnapshot(
  testConfig((d: any) => {
    d.cache = { enabled: true };
    d.decisions = [
      { name: 'coding', priority: 100, rules: { any: ['code'] }, models: [{ model: 'large' }] },
      { name: 'general', priority: 0, rules: { all: [] }, models: [{ model: 'small' }], plugins: { cache: { enabled: true, similarity: 0.7 } } },
    ];
  }),
  { cacheEmbedder: bagEmbedder(64) },
);

let redis: RedisServer;
const replicas: StateContext[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 2; i++) {
    replicas.push({ store: new RedisStateStore(redisSchema.parse({ url: redis.url, op_timeout_ms: 1000 })), metrics: new RecordingMetrics(), log: new RecordingLogger() });
  }
}, 20_000);
afterAll(async () => {
  for (const r of replicas) await r.store.close();
  await redis?.close();
});

let tenants = 0;
const headers = (tenant: string) => new Map([['authorization', `Bearer ${tenant}`]]);

const chatAnswer = (content: string) => Buffer.from(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'org/small-8b', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 4 } }));

/** One request through the body phase and, when forwarded, its answer through the response path. */
async function roundTrip(ctx: StateContext, tenant: string, protocol: Protocol, body: unknown, answer: string) {
  const out = await onRequestBody(snap, protocol, Buffer.from(JSON.stringify(body)), headers(tenant), ctx);
  if (out.kind === 'reply') return { out, client: out.body.toString('utf8') };
  const upstream = JSON.parse(out.body!.toString('utf8'));
  const path = ResponsePath.begin(ctx, { ...(out.cacheWrite ? { cacheWrite: out.cacheWrite } : {}), ...(out.translation ? { translation: out.translation } : {}), ...(out.responses ? { responses: out.responses } : {}) }, new Map([[':status', '200'], ['content-type', 'application/json']]));
  const client = path!.push(chatAnswer(answer), true)!.toString('utf8');
  return { out, upstream, client };
}

/** A streaming miss answered by chat SSE `pieces` (through replica 0), then the same request's hit (replica 1) as parsed events. */
async function streamedHit(tenant: string, protocol: Protocol, body: unknown, pieces: string[]): Promise<any[]> {
  const raw = Buffer.from(JSON.stringify(body));
  const first = await onRequestBody(snap, protocol, raw, headers(tenant), replicas[0]);
  if (first.kind !== 'forward') throw new Error('expected a miss');
  const path = ResponsePath.begin(replicas[0], { cacheWrite: first.cacheWrite!, translation: first.translation! }, new Map([[':status', '200'], ['content-type', 'text/event-stream']]));
  const chunks = [
    ...pieces.map((p, i) => ({ choices: [{ index: 0, delta: { ...(i === 0 ? { role: 'assistant' } : {}), content: p }, finish_reason: i === pieces.length - 1 ? 'stop' : null }] })),
    { choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } },
  ];
  path!.push(Buffer.from([...chunks.map((c) => JSON.stringify(c)), '[DONE]'].map((c) => `data: ${c}\n\n`).join('')), true);
  let hit: Awaited<ReturnType<typeof onRequestBody>> | undefined;
  await until(async () => (hit = await onRequestBody(snap, protocol, raw, headers(tenant), replicas[1])).kind === 'reply', 10_000, 'cache hit');
  return new SseParser().push((hit as { body: Buffer }).body).map((e) => JSON.parse(e.data));
}

describe('stored responses on Redis', () => {
  it('a second turn expands previous_response_id on another replica and stays on the first turn\'s model', async () => {
    const tenant = `t${++tenants}`;
    const first = await roundTrip(replicas[0]!, tenant, 'openai.responses', { model: 'auto', input: 'Tell me about giraffes' }, 'Giraffes are tall.');
    const response = JSON.parse(first.client);
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'small' });
    expect(response.id).toBe(first.out.kind === 'forward' ? first.out.translation?.responseId : undefined);
    // Written in the background after the answer: wait for it, then read it from the other replica.
    const stored = first.out.kind === 'forward' ? first.out.responses!.tenant : '';
    await until(async () => (await loadResponse(replicas[1]!, stored, response.id)).kind === 'found', 10_000, 'response stored');

    // "python" alone would route to the large model: the pin under the response id keeps the chain.
    const second = await roundTrip(replicas[1]!, tenant, 'openai.responses', { model: 'auto', input: 'And in python?', previous_response_id: response.id }, 'Like this.');
    expect(second.out).toMatchObject({ kind: 'forward', model: 'small' });
    expect(second.upstream.messages).toEqual([
      { role: 'user', content: 'Tell me about giraffes' },
      { role: 'assistant', content: [{ type: 'text', text: 'Giraffes are tall.' }] },
      { role: 'user', content: 'And in python?' },
    ]);
  });

  it('another tenant cannot continue or see the response', async () => {
    const owner = `t${++tenants}`;
    const first = await roundTrip(replicas[0]!, owner, 'openai.responses', { model: 'auto', input: 'Tell me about zebras' }, 'Stripes.');
    const id = JSON.parse(first.client).id as string;
    await until(async () => {
      const again = await onRequestBody(snap, 'openai.responses', Buffer.from(JSON.stringify({ model: 'auto', input: 'more', previous_response_id: id })), headers(owner), replicas[1]);
      return again.kind === 'forward';
    }, 10_000, 'response stored');
    const other = await onRequestBody(snap, 'openai.responses', Buffer.from(JSON.stringify({ model: 'auto', input: 'more', previous_response_id: id })), headers(`t${++tenants}`), replicas[1]);
    expect(other).toMatchObject({ kind: 'reply', status: 404 });
    expect(JSON.parse((other as { body: Buffer }).body.toString()).error.code).toBe('response_not_found');
  });
});

describe('the semantic cache in the client\'s protocol', () => {
  const anthropic = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content }], ...extra });

  it('replays an Anthropic answer as a Message, and as Anthropic SSE when streaming', async () => {
    const tenant = `t${++tenants}`;
    const miss = await roundTrip(replicas[0]!, tenant, 'anthropic.messages', anthropic('What are your opening hours?'), 'Nine to five.');
    expect(JSON.parse(miss.client).content).toEqual([{ type: 'text', text: 'Nine to five.' }]);
    // Stored in the background: wait for the hit.
    let hit: Awaited<ReturnType<typeof roundTrip>> | undefined;
    await until(async () => {
      hit = await roundTrip(replicas[1]!, tenant, 'anthropic.messages', anthropic('what are your opening hours'), 'never used');
      return hit.out.kind === 'reply';
    }, 10_000, 'cache hit');
    expect(JSON.parse(hit!.client)).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Nine to five.' }], stop_reason: 'end_turn' });

    // Streaming is its own partition: stored by a streaming miss, replayed as Anthropic's events.
    const body = anthropic('What are your opening hours?', { stream: true });
    const events = await streamedHit(tenant, 'anthropic.messages', body, ['Nine ', 'to five.']);
    expect(events.map((e) => e.type)).toEqual(['message_start', 'ping', 'content_block_start', ...events.filter((e) => e.type === 'content_block_delta').map(() => 'content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join('')).toBe('Nine to five.');
  });

  it('never replays an answer under another system prompt or to another protocol', async () => {
    const tenant = `t${++tenants}`;
    await roundTrip(replicas[0]!, tenant, 'anthropic.messages', anthropic('Name a colour', { system: 'Answer in French.' }), 'Rouge.');
    await until(async () => (await roundTrip(replicas[0]!, tenant, 'anthropic.messages', anthropic('Name a colour', { system: 'Answer in French.' }), 'x')).out.kind === 'reply', 10_000, 'stored');
    expect((await roundTrip(replicas[0]!, tenant, 'anthropic.messages', anthropic('Name a colour', { system: 'Answer in German.' }), 'Rot.')).out.kind).toBe('forward');
    expect((await roundTrip(replicas[0]!, tenant, 'openai.responses', { model: 'auto', instructions: 'Answer in French.', input: 'Name a colour' }, 'Rouge.')).out.kind).toBe('forward');
  });

  it('replays a Responses answer as the Responses event stream', async () => {
    const tenant = `t${++tenants}`;
    const events = await streamedHit(tenant, 'openai.responses', { model: 'auto', input: 'What is the tallest animal?', stream: true }, ['The ', 'giraffe.']);
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(JSON.stringify(events.at(-1)!.response!.output)).toContain('The giraffe.');
  });
});
