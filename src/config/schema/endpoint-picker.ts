// routing.endpoint_picker and models[].discovery: the live-load endpoint picker of endpoint mode
// (src/endpoints/). Absent: endpoint mode keeps the least-in-flight pick of this replica.
import { z } from 'zod';
import { defaulted, name, probability } from './common.js';

const weight = z.number().min(0).max(100).default(1).describe('How much this scorer counts (scores are in [0, 1]).');

export const scorerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('queue').describe('Fewer requests waiting (vllm:num_requests_waiting) scores higher.'), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('running').describe('Fewer requests running (vllm:num_requests_running) scores higher.'), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('kv_cache').describe('1 − KV-cache use (vllm:kv_cache_usage_perc).'), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('inflight').describe("Fewer requests in flight from this replica scores higher (known at once; today's pick)."), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('prefix').describe('The share of the prompt\'s leading blocks this replica recently sent to the endpoint (its KV cache likely holds them).'), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('session').describe('1 for the endpoint the conversation is pinned to (affinity.enabled).'), name: name.optional(), weight }),
  z.strictObject({ type: z.literal('lora').describe("For a model with lora_adapter: 1 when the endpoint runs the adapter, 0.9 queued, 0.8 room to load it (vllm:lora_requests_info)."), name: name.optional(), weight }),
]);

export const filterSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('healthy').describe('Drop endpoints whose metrics are unknown (stale, failing); all unknown: keep all.'), name: name.optional() }),
  z.strictObject({ type: z.literal('subset').describe('Keep only the endpoints of the GIE subset hint (envoy.lb.subset_hint); none left: 503.'), name: name.optional() }),
  z.strictObject({
    type: z.literal('saturated').describe('Drop endpoints past a threshold; all saturated: a sheddable request gets 429, any other keeps them all.'),
    name: name.optional(),
    max_waiting: z.number().int().min(0).default(8).describe('Saturated when more requests than this wait.'),
    max_kv_usage: probability.default(0.95).describe('Saturated when the KV cache is fuller than this.'),
  }),
]);

export const DEFAULT_FILTERS = [{ type: 'healthy' as const }, { type: 'subset' as const }, { type: 'saturated' as const, max_waiting: 8, max_kv_usage: 0.95 }];
export const DEFAULT_SCORERS = [
  { type: 'prefix' as const, weight: 3 },
  { type: 'queue' as const, weight: 2 },
  { type: 'kv_cache' as const, weight: 1 },
  { type: 'inflight' as const, weight: 2 },
  { type: 'session' as const, weight: 1 },
  { type: 'lora' as const, weight: 1 },
];

export const endpointPickerSchema = z.strictObject({
  filters: z.array(filterSchema).default(DEFAULT_FILTERS).describe('Applied in order before scoring.'),
  scorers: z.array(scorerSchema).min(1).default(DEFAULT_SCORERS).describe('Each scores every remaining endpoint in [0, 1]; the weighted sum ranks them.'),
  picker: z
    .enum(['max_score', 'power_of_two', 'round_robin'])
    .default('max_score')
    .describe('max_score: the best, ties at random; power_of_two: the better of two drawn at random; round_robin: in turn, ignoring scores (a baseline).'),
  fallbacks: z
    .number()
    .int()
    .min(0)
    .max(8)
    .default(0)
    .describe('Endpoints listed after the pick in x-gateway-destination-endpoint and envoy.lb metadata, for the retry policy to walk (an override_host cluster: envoy/envoy-endpoint-picker.yaml). 0: a single address, what a plain ORIGINAL_DST cluster (envoy/envoy.yaml) can read.'),
  scrape: defaulted(
    z.strictObject({
      interval_ms: z.number().int().min(10).max(60_000).default(50).describe('How often each endpoint\'s /metrics is scraped.'),
      staleness_ms: z.number().int().min(50).max(600_000).default(2000).describe('Older metrics are unknown (scored as loaded, never as idle).'),
      timeout_ms: z.number().int().min(10).max(60_000).default(1000).describe('One scrape\'s time bound; past it the endpoint is unknown.'),
      concurrency: z.number().int().min(1).max(256).default(16).describe('Most scrapes in flight at once per model.'),
      max_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('A larger /metrics answer is a scrape error.'),
    }),
  ).describe('Metrics scraping (off the request path).'),
  prefix: defaulted(
    z.strictObject({
      block_size: z.number().int().min(1).max(1024).default(16).describe("The backend's KV block size in tokens (vLLM --block-size)."),
      chars_per_token: z.number().min(1).max(16).default(4).describe('Characters per token assumed when cutting the prompt into blocks.'),
      max_blocks: z.number().int().min(1).max(8192).default(512).describe('Blocks hashed per request at most (bounds pick cost on long prompts).'),
      blocks_per_endpoint: z.number().int().min(16).max(10_000_000).default(200_000).describe('Block hashes remembered per endpoint (LRU); ~100 bytes each.'),
    }),
  ).describe('Prefix-cache affinity (the prefix scorer).'),
  sheddable_decisions: z.array(name).default([]).describe('Requests routed by these decisions may be refused with 429 when every endpoint is saturated.'),
});

export type EndpointPickerConfig = z.infer<typeof endpointPickerSchema>;

export const discoverySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('static').describe('The model\'s endpoints list.') }),
  z
    .strictObject({
      type: z.literal('dns').describe('Re-resolve a DNS name (a headless Service) on an interval.'),
      name: z.string().min(1).describe('The DNS name, e.g. vllm-llama.models.svc.cluster.local (SRV: _http._tcp.vllm-llama.models.svc.cluster.local).'),
      record: z.enum(['a', 'srv']).default('a').describe('a: A and AAAA records with port; srv: SRV records (port from each record).'),
      port: z.number().int().min(1).max(65535).optional().describe('The port of every address (record a).'),
      interval_ms: z.number().int().min(100).max(3_600_000).default(5000).describe('Re-resolve period; endpoints that disappear are dropped, new ones join.'),
    })
    .refine((d) => d.record !== 'a' || d.port !== undefined, { message: 'record a needs port', path: ['port'] }),
  z.strictObject({
    type: z.literal('kubernetes').describe("Watch the Service's EndpointSlices (discovery.k8s.io/v1) with the pod's service account (RBAC: get/list/watch endpointslices)."),
    service: z.string().min(1).max(63).describe('The Service name (label kubernetes.io/service-name).'),
    namespace: z.string().min(1).max(63).optional().describe("The Service's namespace; default the pod's own."),
    port: z.string().min(1).max(63).optional().describe("The EndpointSlice port name; default each slice's first port."),
    watch_timeout_s: z.number().int().min(10).max(3600).default(300).describe('Server-side watch timeout; the watch then resumes from the last resourceVersion.'),
    backoff_max_ms: z.number().int().min(100).max(600_000).default(30_000).describe('Retry backoff cap on API errors (doubles from 500 ms); the last endpoints are kept meanwhile.'),
  }),
]);

export type DiscoveryConfig = z.infer<typeof discoverySchema>;
