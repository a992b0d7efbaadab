// The three pickers the fleet benchmark compares, each behind one function: round robin, today's
// least-in-flight EndpointPicker (src/routing/endpoints.ts), and the endpoint picker
// (src/endpoints/, through the request path's own pickEndpoints) with its default config.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { LiveEndpointPicker } from '../../src/endpoints/live-picker.js';
import type { EndpointMetrics } from '../../src/endpoints/types.js';
import { pickEndpoints } from '../../src/pipeline/endpoint-step.js';
import { EndpointPicker } from '../../src/routing/endpoints.js';
import { InflightTracker } from '../../src/routing/load.js';

export type PickerName = 'round_robin' | 'least_inflight' | 'endpoint_picker';
export const PICKERS: PickerName[] = ['round_robin', 'least_inflight', 'endpoint_picker'];

export interface SimPicker {
  /** The endpoint for a request; `served` is called with it (the prefix index learns). */
  pick(messages: { role: 'system' | 'user' | 'assistant'; text: string }[]): string;
  begin(endpoint: string): () => void;
  close(): Promise<void>;
}

export function fleetConfig(endpoints: readonly string[], picker?: Record<string, unknown>): Config {
  return parseConfig({
    version: 'v1',
    routing: { mode: 'endpoint', ...(picker ? { endpoint_picker: picker } : {}) },
    models: [{ name: 'llama', endpoints: [...endpoints] }],
  });
}

export function makePicker(name: PickerName, endpoints: readonly string[], metrics: (ep: string) => EndpointMetrics | undefined, random: () => number): SimPicker {
  const inflight = new InflightTracker();
  const key = (ep: string) => `llama@${ep}`;
  const begin = (ep: string) => inflight.begin(key(ep));
  if (name === 'round_robin') {
    let turn = 0;
    return { pick: () => endpoints[turn++ % endpoints.length]!, begin, close: () => Promise.resolve() };
  }
  if (name === 'least_inflight') {
    const cfg = fleetConfig(endpoints);
    const p = new EndpointPicker(inflight);
    const model = cfg.models[0]!;
    return { pick: () => p.pick(model)!, begin, close: () => Promise.resolve() };
  }
  const cfg = fleetConfig(endpoints, process.env.FLEET_PICKER ? (JSON.parse(process.env.FLEET_PICKER) as Record<string, unknown>) : {});
  const live = new LiveEndpointPicker(cfg, cfg.routing.endpoint_picker!, { inflight: (_m, ep) => inflight.get(key(ep)), metrics: (_m, ep) => metrics(ep), random });
  live.start(); // static discovery only: metrics come from the simulator's scrapes
  const model = cfg.models[0]!;
  return {
    pick: (messages) => pickEndpoints(live, model, { ir: { tools: [], messages: messages.map((m) => ({ ...m, toolCalls: 0 })) }, decision: 'default' }).endpoints[0]!,
    begin,
    close: () => live.close(),
  };
}
