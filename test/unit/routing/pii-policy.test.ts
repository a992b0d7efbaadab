import { describe, expect, it, jest } from '@jest/globals';
import { applyEdits } from '../../../src/routing/body-edits.js';
import { PII_MAX_SCAN_CHARS } from '../../../src/config/schema/decisions.js';
import { PiiPolicy, type PiiPluginConfig } from '../../../src/routing/pii-policy.js';

const policyOf = (cfg: Omit<PiiPluginConfig, 'max_scan_chars'> & Partial<PiiPluginConfig>) => new PiiPolicy({ max_scan_chars: PII_MAX_SCAN_CHARS, ...cfg });

const body = () => ({
  model: 'auto',
  messages: [
    { role: 'system', content: 'Support bot.' },
    { role: 'user', content: [{ type: 'text', text: 'Mail me at jane.doe@example.com' }, { type: 'image_url', image_url: { url: 'data:,' } }] },
    { role: 'assistant', content: 'Noted.' },
    { role: 'user', content: 'My card is 4111 1111 1111 1111, thanks' },
  ],
});

describe('PiiPolicy', () => {
  it('redact: every message and text part, by type, the rest untouched', async () => {
    const policy = policyOf({ action: 'redact', types: [], redact_style: 'type' });
    const found = await policy.scan(body());
    expect(found!.types).toEqual(['CREDIT_CARD', 'EMAIL_ADDRESS']);
    const doc = applyEdits(body(), [found!.edit!]) as ReturnType<typeof body>;
    expect(JSON.stringify(doc)).not.toContain('jane.doe');
    expect(JSON.stringify(doc)).not.toContain('4111');
    expect((doc.messages[1]!.content as Array<{ text?: string }>)[0]!.text).toBe('Mail me at [EMAIL_ADDRESS]');
    expect(doc.messages[3]!.content).toBe('My card is [CREDIT_CARD], thanks');
    expect((doc.messages[1]!.content as unknown[])[1]).toEqual({ type: 'image_url', image_url: { url: 'data:,' } });
  });

  it('types limit what counts', async () => {
    const policy = policyOf({ action: 'block', types: ['US_SSN'], redact_style: 'type' });
    expect(await policy.scan(body())).toBeUndefined();
    expect((await policy.scan({ prompt: 'ssn 123-45-6789' }))!.types).toEqual(['US_SSN']);
  });

  it('block and route report types without an edit', async () => {
    const found = await policyOf({ action: 'route', types: [], route_model: 'local', redact_style: 'type' }).scan(body());
    expect(found).toEqual({ types: ['CREDIT_CARD', 'EMAIL_ADDRESS'] });
  });

  it('completion prompts (string and list) are scanned and redacted', async () => {
    const policy = policyOf({ action: 'redact', types: [], redact_style: 'mask' });
    const found = await policy.scan({ prompt: ['a@b.io wrote', 'plain'] });
    expect(applyEdits({ prompt: ['a@b.io wrote', 'plain'] }, [found!.edit!]).prompt).toEqual(['**** wrote', 'plain']);
  });

  it('does not scan texts over max_scan_chars (all messages together): it reports them unscanned', async () => {
    const detect = jest.fn(() => Promise.resolve([]));
    const policy = new PiiPolicy({ action: 'redact', types: [], redact_style: 'type', max_scan_chars: 100 }, { detect });
    const messages = [{ role: 'user', content: 'a'.repeat(60) }, { role: 'user', content: [{ type: 'text', text: 'b'.repeat(41) }] }];
    expect(await policy.scan({ messages })).toEqual({ types: [], unscannedChars: 101 });
    expect(detect).not.toHaveBeenCalled();
    expect(await policy.scan({ messages: messages.slice(0, 1) })).toBeUndefined();
    expect(detect).toHaveBeenCalledTimes(1);
  });

  it('scans past the detector default prefix (no unredacted tail)', async () => {
    const long = 'x '.repeat(40_000) + 'reach me: tail@example.org';
    const found = await policyOf({ action: 'redact', types: [], redact_style: 'type' }).scan({ prompt: long });
    expect(applyEdits({ prompt: long }, [found!.edit!]).prompt).toMatch(/\[EMAIL_ADDRESS\]$/);
  });
});
