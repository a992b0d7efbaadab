import { describe, expect, it } from '@jest/globals';
import { hrTime } from '@opentelemetry/core';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LocalCounter, LocalHistogram, type LocalInstrument } from '../../../src/telemetry/local-instruments.js';
import { parseExposition } from './prom.js';

function render(...instruments: LocalInstrument[]) {
  const t = hrTime();
  const text = new PrometheusSerializer(undefined, false, undefined, true, true).serialize({
    resource: resourceFromAttributes({}),
    scopeMetrics: [{ scope: { name: 'test' }, metrics: instruments.map((i) => i.collect(t, t)) }],
  });
  return parseExposition(text);
}

describe('local instruments', () => {
  it('counts per label set in the label order given, whatever order the caller writes them in', () => {
    const c = new LocalCounter('x_total', 'help', ['a', 'b']);
    c.add(1, { a: '1', b: '2' });
    c.add(2, { b: '2', a: '1' });
    c.add(5, { a: '1', b: '3' });
    const exp = render(c);
    expect(exp.types.get('x_total')).toBe('counter');
    expect(exp.samples).toEqual([
      { name: 'x_total', labels: { a: '1', b: '2' }, value: 3 },
      { name: 'x_total', labels: { a: '1', b: '3' }, value: 5 },
    ]);
  });

  it('drops negative, NaN and infinite values', () => {
    const c = new LocalCounter('z_total', 'help', ['a']);
    const h = new LocalHistogram('h_seconds', 'help', ['a'], [1, 2]);
    for (const v of [-1, NaN, Infinity]) {
      c.add(v, { a: 'x' });
      h.record(v, { a: 'x' });
    }
    expect(render(c, h).samples).toEqual([]);
  });

  it('fills upper-inclusive cumulative buckets, with sum and count', () => {
    const h = new LocalHistogram('h_seconds', 'help', ['a'], [1, 2]);
    for (const v of [0.5, 1, 1.5, 3]) h.record(v, { a: 'x' });
    const exp = render(h);
    const get = (name: string, le?: string) => exp.samples.find((s) => s.name === name && s.labels.le === le)?.value;
    expect(exp.types.get('h_seconds')).toBe('histogram');
    expect([get('h_seconds_bucket', '1'), get('h_seconds_bucket', '2'), get('h_seconds_bucket', '+Inf')]).toEqual([2, 3, 4]);
    expect(get('h_seconds_count')).toBe(4);
    expect(get('h_seconds_sum')).toBe(6);
  });

  it('folds series past 2000 into one overflow series', () => {
    const c = new LocalCounter('many_total', 'help', ['id']);
    for (let i = 0; i < 2010; i++) c.add(1, { id: String(i) });
    const samples = render(c).samples;
    expect(samples).toHaveLength(2001);
    expect(samples.find((s) => s.labels.otel_metric_overflow === 'true')?.value).toBe(10);
  });
});
