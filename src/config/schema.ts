// The semroute v1 config contract. Every other module receives the parsed, typed result.
// Unknown keys are rejected (strict) so that a typo fails validation instead of being ignored.
import { z } from 'zod';
import { listenAddress, name } from './schema/common.js';
import { decisionSchema } from './schema/decisions.js';
import { endpointPickerSchema } from './schema/endpoint-picker.js';
import { inferenceSchema } from './schema/inference.js';
import { modelSchema } from './schema/models.js';
import { securitySchema, telemetrySchema } from './schema/security.js';
import { signalsSchema } from './schema/signals.js';
import { affinitySchema, cacheSchema, stateSchema } from './schema/state.js';
import { responsesConfigSchema } from './schema/protocols.js';
import { listenerTlsSchema, unixSocketSchema } from './schema/tls.js';

export const listenersSchema = z
  .strictObject({
    grpc: z
      .strictObject({
        address: listenAddress.default('0.0.0.0:50051'),
        max_connection_age_ms: z
          .number()
          .int()
          .min(0)
          .default(60_000)
          .describe(
            'Rotate each Envoy connection gracefully (GOAWAY notice, a PING round trip, then the final GOAWAY: no stream refused; open streams finish) after this long, ±10%, so connections spread over replicas as they scale; 0: never.',
          ),
        max_connection_streams: z
          .number()
          .int()
          .min(0)
          .max(1000)
          .default(800)
          .describe(
            "Rotate a connection (as above) once it has carried this many streams; 0: never. Envoy without ext_proc_graceful_grpc_close resets every ext_proc stream, and Node's HTTP/2 server answers more than 1000 resets on one connection (refilled at 33/s) with GOAWAY INTERNAL_ERROR, failing every stream open on it; under 1000 streams a connection can never spend that budget, at any rate.",
          ),
        stream_idle_timeout_ms: z
          .number()
          .int()
          .min(1000)
          .default(600_000)
          .describe(
            'Cancel a stream that has seen no message for this long (a reset that never arrived); counted in semroute_extproc_streams_reaped_total. Keep it above the longest route timeout.',
          ),
        tls: listenerTlsSchema
          .optional()
          .describe('TLS (with client_ca_file: mutual TLS) on the ext_proc listener; Envoy\'s cluster then needs a transport_socket (envoy/envoy-mtls.yaml). Absent: plaintext gRPC.'),
        unix_socket: unixSocketSchema,
      })
      .prefault({})
      .describe('The ext_proc gRPC listener Envoy connects to (restart to change).'),
    admin: z
      .strictObject({
        address: listenAddress
          .default('127.0.0.1:9190')
          .describe('HOST:PORT. Loopback by default: probes and Prometheus in the same pod reach it; bind 0.0.0.0 only behind a NetworkPolicy.'),
        tls: listenerTlsSchema.optional().describe('Serve the admin API over HTTPS (with client_ca_file: client certificates required). Absent: plain HTTP.'),
      })
      .prefault({})
      .describe('HTTP admin listener: /healthz, /readyz, /metrics and the token-protected API (docs/admin-api.md; restart to change).'),
  })
  .prefault({});

export const routingSchema = z
  .strictObject({
    auto_model_names: z
      .array(z.string().min(1))
      .default(['auto'])
      .describe('Request model names that mean "route it"; any configured model name passes through.'),
    mode: z
      .enum(['cluster', 'endpoint', 'model'])
      .default('cluster')
      .describe(
        'cluster: set x-semroute-model and let Envoy pick the cluster; endpoint: also pick the endpoint (x-gateway-destination-endpoint); model: choose the model only, ahead of a Gateway API Inference Extension InferencePool: set x-semroute-model and x-gateway-model-name (the served name, which the HTTPRoute matches) and rewrite the body, never an endpoint header or envoy.lb metadata, so the pool\'s endpoint picker alone chooses the replica.',
      ),
    strategy: z
      .enum(['priority', 'confidence'])
      .default('priority')
      .describe('Order of matching decisions: by priority then confidence, or by confidence then priority.'),
    default_decision: name.optional().describe('Decision used when no decision matches.'),
    default_model: name.optional().describe('Model used when no decision matches and no default_decision is set (default: the first model).'),
    endpoint_picker: endpointPickerSchema
      .optional()
      .describe(
        'routing.mode endpoint: pick endpoints from live engine load (scraped /metrics), prefix-cache affinity, session and LoRA affinity (filters → weighted scorers → picker), with the GIE subset hint, a fallback list, 503 when none is eligible and 429 shedding. Absent: the endpoint with the fewest requests in flight from this replica.',
      ),
  })
  .prefault({});

export const configSchema = z.strictObject({
  version: z.literal('v1').describe('Config format version.'),
  listeners: listenersSchema,
  routing: routingSchema,
  models: z.array(modelSchema).min(1).describe('The backends semroute routes to.'),
  signals: signalsSchema.describe('Named facts about a request, one list per kind; names are unique across kinds.'),
  decisions: z.array(decisionSchema).default([]).describe('Rule trees over signals with their candidate models and plugins.'),
  inference: inferenceSchema.describe('ONNX models used by classification signals.'),
  state: stateSchema.describe('Where affinity and cache entries live.'),
  affinity: affinitySchema.describe('Multi-turn session affinity.'),
  cache: cacheSchema.describe('Semantic response cache.'),
  responses: responsesConfigSchema.describe('The OpenAI Responses API on backends that do not serve it (stored responses).'),
  security: securitySchema.describe('Request bounds, identity and admin access.'),
  telemetry: telemetrySchema.describe('Logs, metrics and traces.'),
});

export type Config = z.infer<typeof configSchema>;
export type { ModelConfig } from './schema/models.js';
export type { DecisionConfig, CandidateConfig, PluginsConfig, RuleNode } from './schema/decisions.js';
export type { KeywordSignalConfig, SignalsConfig, SignalKind } from './schema/signals.js';
export type { InferenceConfig, InferenceModelConfig } from './schema/inference.js';
export type { AffinityConfig, CacheConfig, RedisConfig, StateConfig } from './schema/state.js';
export { ruleSchema } from './schema/decisions.js';
