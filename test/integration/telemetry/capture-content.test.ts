// telemetry.tracing.capture_content: true puts the request messages and the answer's text on the
// upstream client span, JSON and SSE alike (tracing.test.ts checks they are absent by default).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';
import { until } from '../../helpers/until.js';

let stack: E2EStack;
let otlp: OtlpReceiver;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  stack = await startE2EStack((d) => (d.telemetry = { tracing: { otlp_endpoint: otlp.url, sample_ratio: 1, capture_content: true } }));
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await otlp?.close();
});

async function clientSpan(content: string, stream: boolean): Promise<{ span: ReceivedSpan; text: string }> {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    body: JSON.stringify({ model: 'auto', stream, messages: [{ role: 'user', content }] }),
  });
  const body = await res.text();
  const text = stream
    ? body
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => (JSON.parse(l.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '')
        .join('')
    : (JSON.parse(body) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
  let span: ReceivedSpan | undefined;
  await until(async () => {
    await stack.dev.router.tracing.flush();
    span = otlp.spans.find((s) => s.traceId === traceId && s.kind === 3);
    return span !== undefined;
  }, 20_000, 'the client span');
  return { span: span!, text };
}

describe('capture_content', () => {
  it.each([false, true])('records the prompt and the answer (stream: %s)', async (stream) => {
    const { span, text } = await clientSpan('Tell me about giraffes', stream);
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', content: 'Tell me about giraffes' }]);
    const output = JSON.parse(String(span.attributes['gen_ai.output.messages'])) as Array<{ role: string; content: string; finish_reason: string }>;
    expect(output).toEqual([{ role: 'assistant', content: text, finish_reason: 'stop' }]);
    expect(text.length).toBeGreaterThan(0);
  });
});
