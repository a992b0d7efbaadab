// POST /v1/explain on the admin listener of a running router: admin tokens only, the trace's
// decision is the one the ext_proc path takes for the same body, x-explain- headers reach routing,
// and unusable bodies get OpenAI-shaped errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouter, type RunningRouter } from '../../../src/cli/router.js';
import type { ProcessingResponse } from '../../../src/extproc/wire.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger } from '../../helpers/fakes.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, setHeaders } from '../../helpers/wire.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const MAX_BODY = 2048;

let router: RunningRouter;
let client: ReturnType<typeof extProcClient>;

beforeAll(async () => {
  const config = testConfig((d: any) => {
    d.signals.header = [{ name: 'premium', header: 'x-user-tier', values: ['premium'] }];
    d.decisions.unshift(
      { name: 'refuse_urgent', priority: 500, rules: { any: ['urgent'] }, plugins: { block: { status: 403 } } },
      { name: 'premium_users', priority: 300, rules: { any: ['premium'] }, models: [{ model: 'large' }] },
    );
    d.security = { max_body_bytes: MAX_BODY, admin_tokens: [{ token: VIEWER, role: 'viewer' }, { token: ADMIN, role: 'admin' }] };
  });
  router = await startRouter({ config, grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: new RecordingLogger() });
  client = extProcClient(router.grpcAddress);
});
afterAll(async () => {
  client.close();
  await router.close();
});

async function explain(body: string, opts: { token?: string; query?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${router.adminUrl}/v1/explain${opts.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The decision header the ext_proc path answers with, for a routed or a refused request. */
function decisionOf(res: ProcessingResponse): string | undefined {
  const headers = res.immediate_response ? setHeaders(res.immediate_response.headers) : setHeaders(commonOf(res)!.header_mutation);
  return headers.find(([k]) => k === 'x-semroute-decision')?.[1];
}

async function extProcDecision(body: string, path = '/v1/chat/completions', extra: Record<string, string> = {}) {
  const call = openCall(client);
  try {
    await call.send(requestHeaders({ ...chatHeaders, ':path': path, ...extra }));
    return decisionOf(await call.send(requestBody(body)));
  } finally {
    call.halfClose();
    await call.status;
  }
}

const chat = (content: string) => JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] });

describe('POST /v1/explain', () => {
  it('needs a token, and an admin one', async () => {
    const none = await explain(chat('hi'));
    expect(none.status).toBe(401);
    expect(none.body.error.type).toBe('authentication_error');
    const viewer = await explain(chat('hi'), { token: VIEWER });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.message).toBe('this needs an admin token');
  });

  it.each([
    ['coding', 'Why does my python function crash?'],
    ['general', 'What is the capital of France?'],
    ['refuse_urgent', 'I need this asap'],
  ])('decides %s, as the ext_proc path does', async (decision, content) => {
    const r = await explain(chat(content), { token: ADMIN });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe(decision);
    expect(await extProcDecision(chat(content))).toBe(decision);
  });

  it('traces the signals, the rule trees and the forwarded body', async () => {
    const r = await explain(chat('debug my python'), { token: ADMIN });
    expect(r.body).toMatchObject({ route: 'auto', decision: 'coding', why: 'highest priority match (100)', model: 'large', plugins: [] });
    expect(r.body.signals.map((s: any) => [s.name, s.matched])).toEqual([['code', true], ['urgent', false], ['premium', false]]);
    expect(r.body.decisions.map((d: any) => d.name)).toEqual(['refuse_urgent', 'premium_users', 'coding', 'general']);
    expect(r.body.decisions[2].rule).toEqual({ node: 'any', matched: true, confidence: 1, children: [{ node: 'code', matched: true, confidence: 1 }] });
    expect(r.body.forwardedBody).toEqual({ model: 'org/large-235b', messages: [{ role: 'user', content: 'debug my python' }] });
  });

  it('shows a blocked request with its refusal, as a 200 trace', async () => {
    const r = await explain(chat('urgent please'), { token: ADMIN });
    expect(r.status).toBe(200);
    expect(r.body.reply).toEqual({ status: 403, code: 'blocked_by_policy', message: 'This request was blocked by policy.' });
    expect(r.body.forwardedBody).toBeUndefined();
  });

  it('passes x-explain- headers to routing without the prefix', async () => {
    const body = chat('What is the capital of France?');
    const r = await explain(body, { token: ADMIN, headers: { 'x-explain-x-user-tier': 'premium', 'x-user-tier': 'ignored' } });
    expect(r.body.decision).toBe('premium_users');
    expect(await extProcDecision(body, undefined, { 'x-user-tier': 'premium' })).toBe('premium_users');
    const plain = await explain(body, { token: ADMIN, headers: { 'x-user-tier': 'premium' } });
    expect(plain.body.decision).toBe('general');
  });

  it('explains text completions with ?protocol=completions', async () => {
    const body = JSON.stringify({ model: 'auto', prompt: '# a python function' });
    const r = await explain(body, { token: ADMIN, query: '?protocol=completions' });
    expect(r.status).toBe(200);
    expect(r.body.request).toMatchObject({ protocol: 'openai.completions', model: 'auto' });
    expect(r.body.decision).toBe('coding');
    expect(await extProcDecision(body, '/v1/completions')).toBe('coding');
    const unknown = await explain(body, { token: ADMIN, query: '?protocol=embeddings' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_request', param: 'protocol' });
  });

  it('answers 400 with an OpenAI-shaped error for an unreadable body', async () => {
    const r = await explain('{"model": "auto",', { token: ADMIN });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const empty = await explain('', { token: ADMIN });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('missing_body');
  });

  it('answers 413 above security.max_body_bytes', async () => {
    const r = await explain(chat('x'.repeat(MAX_BODY)), { token: ADMIN });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ type: 'invalid_request_error', code: 'body_too_large' });
  });
});
