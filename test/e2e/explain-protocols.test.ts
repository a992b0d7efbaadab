// `semroute explain` and `semroute eval` (routing) through the built binary on Responses and
// Anthropic Messages bodies: --protocol responses|messages, the protocol read off the body's shape
// without it, and the egress line / field (native, or translated to chat completions).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigDoc } from '../helpers/config.js';
import { BIN, ROOT, ensureBuilt, runCli } from '../helpers/cli.js';

let dir: string;
let config: string;

function explain(args: string[], stdin = '') {
  const r = spawnSync('node', [BIN, 'explain', '--config', config, ...args], { cwd: ROOT, input: stdin, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RESPONSES = { model: 'auto', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Why does my python function crash?' }] }] };
const ANTHROPIC = { model: 'auto', max_tokens: 128, system: 'Be kind.', messages: [{ role: 'user', content: 'What is the capital of France?' }] };
// Valid as chat too: without --protocol messages it reads as chat.
const PLAIN_ANTHROPIC = { model: 'auto', max_tokens: 128, messages: [{ role: 'user', content: 'What is the capital of France?' }] };

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-explain-protocols-'));
  const doc = baseConfigDoc() as any;
  // small (general) serves Anthropic and Responses natively; large (coding) chat and completions only.
  doc.models[0].api = ['chat', 'completions', 'responses', 'messages'];
  config = path.join(dir, 'semroute.yaml');
  writeFileSync(config, stringify(doc));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('semroute explain: Responses and Anthropic bodies', () => {
  it('infers a Responses body and shows it translated for a chat-only model', () => {
    const r = explain([], JSON.stringify(RESPONSES));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('request: openai.responses (inferred: the body has "input"), model "auto", 1 message, ~');
    expect(r.stdout).toContain(
      'decision: coding (highest priority match (100))\nmodel: large (first fitting candidate)\nplugins: none\n' +
        'egress: translated to chat completions (large does not serve responses; POST /v1/chat/completions, answer translated back to openai.responses)\n',
    );
  });

  it('--json: the protocol, why it was inferred, the egress and the translated body', () => {
    const trace = JSON.parse(explain(['--json'], JSON.stringify(RESPONSES)).stdout);
    expect(trace).toMatchObject({
      request: { protocol: 'openai.responses', inferred: 'the body has "input"', model: 'auto' },
      route: 'auto',
      decision: 'coding',
      model: 'large',
      egress: { native: false, protocol: 'openai.chat', path: '/v1/chat/completions' },
      forwardedBody: { model: 'org/large-235b', messages: [{ role: 'user', content: [{ type: 'text', text: 'Why does my python function crash?' }] }] },
    });
  });

  it('infers an Anthropic body by its system and shows it native for a model that serves Messages', () => {
    const file = path.join(dir, 'anthropic.json');
    writeFileSync(file, JSON.stringify(ANTHROPIC));
    const r = explain([file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('request: anthropic.messages (inferred: the body has a top-level "system"), model "auto", 2 messages, ~');
    expect(r.stdout).toContain('decision: general (highest priority match (0))\nmodel: small (first fitting candidate)\nplugins: none\negress: native anthropic.messages (small serves messages, POST /v1/messages)\n');
    const trace = JSON.parse(explain(['--json', file]).stdout);
    expect(trace).toMatchObject({ request: { protocol: 'anthropic.messages' }, egress: { native: true, protocol: 'anthropic.messages', path: '/v1/messages' } });
    expect(trace.forwardedBody).toEqual({ ...ANTHROPIC, model: 'org/small-8b' });
  });

  it('--protocol wins: messages for a text-only Anthropic body (else chat), responses named', () => {
    const asChat = JSON.parse(explain(['--json'], JSON.stringify(PLAIN_ANTHROPIC)).stdout);
    expect(asChat.request).toMatchObject({ protocol: 'openai.chat', inferred: 'no Responses, Anthropic or completions field: chat' });
    expect(explain([], JSON.stringify(PLAIN_ANTHROPIC)).stdout).toContain('request: openai.chat, model "auto", 1 message');
    const named = JSON.parse(explain(['--json', '--protocol', 'messages'], JSON.stringify(PLAIN_ANTHROPIC)).stdout);
    expect(named).toMatchObject({ request: { protocol: 'anthropic.messages' }, decision: 'general', model: 'small', egress: { native: true } });
    expect(named.request.inferred).toBeUndefined();
    const responses = JSON.parse(explain(['--json', '--protocol', 'responses'], JSON.stringify({ model: 'auto', input: 'hello' })).stdout);
    expect(responses).toMatchObject({ request: { protocol: 'openai.responses' }, decision: 'general', model: 'small', egress: { native: true, path: '/v1/responses' } });
  });

  it('an Anthropic body that is no chat body, explained as messages: its Anthropic error', () => {
    const r = explain(['--protocol', 'messages'], JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^request: anthropic\.messages, unreadable body\n\ndecision: none \(the request body is invalid\)\nerror: 400 invalid_request: max_tokens: max_tokens is required\n/);
  });

  it('documents the flag values and the rule in the usage text', () => {
    const r = explain(['--protocol', 'embeddings']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --protocol "embeddings" (chat, completions, responses or messages)');
    expect(r.stderr).toContain('[--protocol chat|completions|responses|messages]');
    expect(r.stderr).toContain('"input", "instructions" or "previous_response_id" -> responses');
  });
});

describe('semroute eval (routing): "body" lines', () => {
  it('routes Responses and Anthropic bodies, inferred or named, beside chat lines', () => {
    const lines = [
      { text: 'fix my python function', expected_decision: 'coding' },
      { body: { input: 'show me a stack trace example' }, expected_decision: 'coding', expected_model: 'large' },
      { body: ANTHROPIC, expected_decision: 'general', expected_model: 'small' },
      { body: PLAIN_ANTHROPIC, protocol: 'messages', expected_model: 'small' },
      { body: { max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'a poem' }] }] }, protocol: 'messages', expected_decision: 'coding' }, // wrong: general
      { body: { ...ANTHROPIC, model: 'large' }, expected_decision: 'coding' },
      { body: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] }, protocol: 'messages', expected_decision: 'general' },
      { body: ANTHROPIC, protocol: 'embeddings', expected_decision: 'general' },
    ];
    const dataset = path.join(dir, 'bodies.jsonl');
    writeFileSync(dataset, lines.map((l) => JSON.stringify(l)).join('\n'));
    const r = runCli(['eval', '--config', config, '--dataset', dataset, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ lines: 8, evaluated: 5, misroute_count: 1 });
    expect(report.decisions).toMatchObject({ count: 4, accuracy: 0.75 });
    expect(report.models).toMatchObject({ count: 3, accuracy: 1 });
    expect(report.worst_misroutes).toEqual([
      { line: 5, protocol: 'anthropic.messages', text: 'a poem', expected_decision: 'coding', decision: 'general', model: 'small', confidence: 1, expected_confidence: 0 },
    ]);
    expect(report.bad_lines).toEqual([
      { line: 6, error: 'not routed: the client named model "large" (leave "model" out or give an auto model name)' },
      { line: 7, error: 'the request is refused: max_tokens: max_tokens is required' },
      { line: 8, error: 'unknown protocol "embeddings" (chat, completions, responses or messages)' },
    ]);
    const text = runCli(['eval', '--config', config, '--dataset', dataset]).stdout;
    expect(text).toMatch(/^ {2}5 +coding +0\.00 +general +1\.00 +"a poem" \(anthropic\.messages\)$/m);
  });
});
