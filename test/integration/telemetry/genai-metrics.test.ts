// Token and latency accounting from the response path, through the local gateway: a non-streamed
// and a streamed answer each leave their tokens (gen_ai_client_token_usage), duration and cost on
// the Prometheus endpoint; the streamed one also its time to first token and time per output token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { find, parseExposition, type Exposition } from '../../unit/telemetry/prom.js';

let stack: E2EStack;
const COST = { small: { input: 0.2, output: 0.6 }, large: { input: 3, output: 15 } };

beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.security = { identity: { trusted: true } };
    d.models[0].cost_per_million_tokens = COST.small;
    d.models[1].cost_per_million_tokens = COST.large;
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${stack.dev.router.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

const one = (exp: Exposition, name: string, labels: Record<string, string>): number => {
  const hits = find(exp, name, labels);
  expect(hits).toHaveLength(1);
  return hits[0]!.value;
};

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

describe('GenAI metrics', () => {
  let exp: Exposition;
  let plain: Usage;
  let streamed: Usage;
  const large = { gen_ai_request_model: 'large', gen_ai_response_model: 'org/large-235b', decision: 'coding', tenant: 'acme', gen_ai_operation_name: 'chat' };
  const small = { gen_ai_request_model: 'small', gen_ai_response_model: 'org/small-8b', decision: 'general', tenant: 'globex', gen_ai_operation_name: 'chat' };

  beforeAll(async () => {
    const a = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Why does my python function fail with a stack trace?' }] }),
    });
    plain = ((await a.json()) as { usage: Usage }).usage;
    const b = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': 'globex' },
      body: JSON.stringify({ model: 'auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Tell me a long story about giraffes please' }] }),
    });
    expect(b.headers.get('content-type')).toContain('text/event-stream');
    const events = (await b.text()).split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as { usage?: Usage });
    streamed = events.find((e) => e.usage)!.usage!;
    expect(streamed.completion_tokens).toBeGreaterThan(1);
    exp = await scrape();
  });

  it('counts the tokens of both answers by type, model, decision and tenant', () => {
    expect(one(exp, 'gen_ai_client_token_usage_sum', { ...large, gen_ai_token_type: 'input' })).toBe(plain.prompt_tokens);
    expect(one(exp, 'gen_ai_client_token_usage_sum', { ...large, gen_ai_token_type: 'output' })).toBe(plain.completion_tokens);
    expect(one(exp, 'gen_ai_client_token_usage_count', { ...large, gen_ai_token_type: 'output' })).toBe(1);
    expect(one(exp, 'gen_ai_client_token_usage_sum', { ...small, gen_ai_token_type: 'input' })).toBe(streamed.prompt_tokens);
    expect(one(exp, 'gen_ai_client_token_usage_sum', { ...small, gen_ai_token_type: 'output' })).toBe(streamed.completion_tokens);
    // The token buckets: 1 … 64 Mi, powers of 4.
    const les = find(exp, 'gen_ai_client_token_usage_bucket', { ...large, gen_ai_token_type: 'input' }).map((s) => s.labels.le);
    expect(les.slice(0, 4)).toEqual(['1', '4', '16', '64']);
    expect(les).toContain('67108864');
  });

  it('times the streamed answer: time to first token and time per output token', () => {
    expect(one(exp, 'gen_ai_server_time_to_first_token_seconds_count', small)).toBe(1);
    const ttft = one(exp, 'gen_ai_server_time_to_first_token_seconds_sum', small);
    const duration = one(exp, 'gen_ai_server_request_duration_seconds_sum', small);
    expect(ttft).toBeGreaterThan(0);
    expect(ttft).toBeLessThanOrEqual(duration);
    expect(one(exp, 'gen_ai_server_time_per_output_token_seconds_count', small)).toBe(1);
    const tpot = one(exp, 'gen_ai_server_time_per_output_token_seconds_sum', small);
    // The tokens after the first took what the stream took after its first bytes.
    expect(tpot * (streamed.completion_tokens - 1)).toBeCloseTo(duration - ttft, 6);
  });

  it('times the non-streamed answer as a whole (no first token to see)', () => {
    expect(one(exp, 'gen_ai_server_request_duration_seconds_count', large)).toBe(1);
    expect(find(exp, 'gen_ai_server_time_to_first_token_seconds_count', large)).toEqual([]);
    expect(find(exp, 'gen_ai_server_time_per_output_token_seconds_count', large)).toEqual([]);
  });

  it('prices each answer from the model\'s cost_per_million_tokens', () => {
    const expectLarge = (plain.prompt_tokens * COST.large.input + plain.completion_tokens * COST.large.output) / 1e6;
    const expectSmall = (streamed.prompt_tokens * COST.small.input + streamed.completion_tokens * COST.small.output) / 1e6;
    expect(one(exp, 'semroute_request_cost_sum', large)).toBeCloseTo(expectLarge, 12);
    expect(one(exp, 'semroute_request_cost_sum', small)).toBeCloseTo(expectSmall, 12);
    expect(one(exp, 'semroute_request_cost_count', small)).toBe(1);
  });

  it('keeps semroute_tokens_total in step', () => {
    expect(one(exp, 'semroute_tokens_total', { model: 'large', decision: 'coding', type: 'output' })).toBe(plain.completion_tokens);
    expect(one(exp, 'semroute_tokens_total', { model: 'small', decision: 'general', type: 'input' })).toBe(streamed.prompt_tokens);
  });
});
