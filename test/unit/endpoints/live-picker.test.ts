// The live picker per model with DNS discovery (a resolver the test edits) and metrics fed in
// (no scrape): endpoints that disappear leave the pick and the prefix index, new ones join; the
// schema's refusals for config errors in plugin parameters.
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { DnsResolver } from '../../../src/endpoints/discovery/dns.js';
import { LiveEndpointPicker } from '../../../src/endpoints/live-picker.js';
import type { EndpointMetrics } from '../../../src/endpoints/types.js';
import { until } from '../../helpers/until.js';

function cfg(picker: Record<string, unknown> = { fallbacks: 1 }) {
  return parseConfig({
    version: 'v1',
    routing: { mode: 'endpoint', endpoint_picker: picker },
    models: [{ name: 'llama', lora_adapter: 'sql', discovery: { type: 'dns', name: 'vllm.models.svc', port: 8000, interval_ms: 100 } }],
  });
}

describe('LiveEndpointPicker', () => {
  it('follows DNS: gone endpoints are dropped (with their prefix entries), new ones join', async () => {
    const table = { a: ['10.0.0.1', '10.0.0.2'] };
    const resolver: DnsResolver = {
      resolve4: () => Promise.resolve(table.a),
      resolve6: () => Promise.reject(Object.assign(new Error('none'), { code: 'ENODATA' })),
      resolveSrv: () => Promise.resolve([]),
    };
    const idle: EndpointMetrics = { waiting: 0, running: 0, kvUsage: 0, runningAdapters: [], waitingAdapters: [] };
    const c = cfg();
    const live = new LiveEndpointPicker(c, c.routing.endpoint_picker!, { inflight: () => 0, resolver, metrics: () => idle, random: () => 0.5 });
    live.start();
    try {
      const me = live.of('llama')!;
      await until(() => me.endpoints().length === 2, 5000, 'first DNS answer');
      const prompt = 'shared system prompt. '.repeat(40);
      const first = live.pick(c.models[0]!, { prompt, decision: 'd' });
      expect(first.kind).toBe('picked');
      const picked = first.kind === 'picked' ? first.endpoints[0]! : '';
      expect(me.prefix.size(picked)).toBeGreaterThan(0);
      // The same prefix goes back to the endpoint that holds it.
      expect(live.pick(c.models[0]!, { prompt: `${prompt} more`, decision: 'd' })).toMatchObject({ endpoints: [picked, expect.any(String)] });
      table.a = picked === '10.0.0.1:8000' ? ['10.0.0.2', '10.0.0.3'] : ['10.0.0.1', '10.0.0.3'];
      await until(() => !me.endpoints().includes(picked), 5000, 'the picked endpoint gone');
      expect(me.prefix.size(picked)).toBe(0);
      expect(live.knows('llama', picked)).toBe(false);
      expect(live.knows('llama', '10.0.0.3:8000')).toBe(true);
      const again = live.pick(c.models[0]!, { prompt, decision: 'd' });
      expect(again.kind === 'picked' && again.endpoints).not.toContain(picked);
      table.a = [];
      await until(() => me.endpoints().length === 0, 5000, 'the fleet gone');
      expect(live.pick(c.models[0]!, { prompt, decision: 'd' })).toMatchObject({ kind: 'refused', outcome: 'none_eligible' });
    } finally {
      await live.close();
    }
  });

  it('passes the model\'s LoRA adapter to the lora scorer', () => {
    const c = parseConfig({
      version: 'v1',
      routing: { mode: 'endpoint', endpoint_picker: { scorers: [{ type: 'lora', weight: 1 }], fallbacks: 0 } },
      models: [{ name: 'sql', lora_adapter: 'sql-lora', endpoints: ['10.0.0.1:8000', '10.0.0.2:8000'] }],
    });
    const m = (ep: string): EndpointMetrics => ({ waiting: 0, running: 0, kvUsage: 0, runningAdapters: ep === '10.0.0.2:8000' ? ['sql-lora'] : ['x', 'y'], waitingAdapters: [], maxLora: 2 });
    const live = new LiveEndpointPicker(c, c.routing.endpoint_picker!, { inflight: () => 0, metrics: (_m, ep) => m(ep) });
    live.start();
    try {
      expect(live.pick(c.models[0]!, { prompt: '', decision: 'd' })).toMatchObject({ kind: 'picked', endpoints: ['10.0.0.2:8000'] });
    } finally {
      void live.close();
    }
  });

  it('the schema refuses unknown plugin types and parameters, naming the path', () => {
    expect(() => cfg({ scorers: [{ type: 'nope', weight: 1 }] })).toThrow(/routing\.endpoint_picker\.scorers\[0\]\.type/);
    expect(() => cfg({ filters: [{ type: 'saturated', max_queue: 3 }] })).toThrow(/max_queue/);
    expect(() => parseConfig({ version: 'v1', models: [{ name: 'm', discovery: { type: 'dns', name: 'x' } }] })).toThrow(/record a needs port/);
  });
});
