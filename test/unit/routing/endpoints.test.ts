import { describe, expect, it } from '@jest/globals';
import type { ModelConfig } from '../../../src/config/schema.js';
import { EndpointPicker, endpointLoadKey } from '../../../src/routing/endpoints.js';
import { InflightTracker } from '../../../src/routing/load.js';

const model: ModelConfig = { name: 'm', endpoints: ['10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000'], api: ['chat', 'completions'], reasoning_family: 'none', tags: [] };

describe('EndpointPicker', () => {
  it('spreads an idle fleet in turn', () => {
    const picker = new EndpointPicker(new InflightTracker());
    expect(Array.from({ length: 6 }, () => picker.pick(model))).toEqual([
      '10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000', '10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000',
    ]);
  });

  it('prefers the endpoint with the fewest requests in flight', () => {
    const inflight = new InflightTracker();
    const picker = new EndpointPicker(inflight);
    inflight.begin(endpointLoadKey('m', '10.0.0.1:8000'));
    inflight.begin(endpointLoadKey('m', '10.0.0.1:8000'));
    inflight.begin(endpointLoadKey('m', '10.0.0.2:8000'));
    for (let i = 0; i < 3; i++) expect(picker.pick(model)).toBe('10.0.0.3:8000');
  });

  it('a model without endpoints has no pick', () => {
    expect(new EndpointPicker(new InflightTracker()).pick({ ...model, endpoints: [] })).toBeUndefined();
  });
});
