// security: request bounds, tenant identity and admin access.
import { z } from 'zod';

/** Upper bound of security.max_body_bytes (the gRPC message limit is sized from it). */
export const MAX_BODY_BYTES_LIMIT = 64 * 1024 * 1024;

export const adminTokenSchema = z
  .strictObject({
    token: z.string().min(16).optional().describe('The bearer token (prefer token_file or ${ENV}).'),
    token_file: z.string().optional().describe('File holding the token, e.g. a mounted Kubernetes Secret; read at load and reload.'),
    role: z.enum(['admin', 'viewer']).default('viewer').describe('viewer: read endpoints; admin: also explain and reload.'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/, 'letters, digits and . _ @ : - (at most 64)')
      .optional()
      .describe('Who holds the token, as the audit log names them (default: token: and 8 hex digits of its sha256).'),
  })
  .refine((t) => (t.token === undefined) !== (t.token_file === undefined), { message: 'give exactly one of token and token_file' });

export const securitySchema = z
  .strictObject({
    max_body_bytes: z
      .number()
      .int()
      .positive()
      .max(MAX_BODY_BYTES_LIMIT)
      .default(4 * 1024 * 1024)
      .describe('Largest request body accepted; larger ones get 413.'),
    max_json_depth: z.number().int().min(4).max(1000).default(64).describe('Deepest JSON nesting accepted.'),
    max_messages: z.number().int().positive().default(2048).describe('Most messages in one chat request.'),
    max_inflight_body_bytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024)
      .describe('Request-body bytes all open streams may hold together; beyond it requests get 429.'),
    identity: z
      .strictObject({
        tenant_header: z.string().default('x-tenant-id').describe('Header naming the tenant (set by a trusted auth hop).'),
        trusted: z
          .boolean()
          .default(false)
          .describe(
            'Trust tenant_header as sent; when false the tenant is a hash of the Authorization header. Safe only when the edge removes client copies of the header before anything sets it (the shipped Envoy configs do: a header_mutation filter first, then e.g. jwt_authn claim_to_headers); otherwise a client that sends it reads another tenant\'s cache.',
          ),
        headers: z
          .array(z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'a lower-case header name'))
          .default([])
          .describe(
            'More headers that carry who the caller is (e.g. x-user-id, x-user-groups, a header signal\'s user tier), trusted like tenant_header. Untrusted (trusted false, or the stream not from a trusted_peers hop): removed before routing reads them (tenant, header signals) and from the request sent upstream, so a client-sent value neither routes nor reaches a model.',
          ),
        trusted_peers: z
          .array(z.string().min(1).max(255))
          .default([])
          .describe(
            'The trusted hop, by its mutual-TLS client certificate: identity headers are trusted only on ext_proc connections whose certificate names one of these (subject CN, DNS or URI SAN, e.g. spiffe://cluster.local/ns/ai/sa/envoy), and stripped on every other one. Needs trusted true and listeners.grpc.tls.client_ca_file. Empty: every connection is the trusted hop (when trusted).',
          ),
      })
      .prefault({})
      .describe('Who a request belongs to: the tenant scopes affinity and cache entries.'),
    admin_tokens: z.array(adminTokenSchema).default([]).describe('Bearer tokens for the admin listener; none: admin endpoints other than probes and metrics are off.'),
    debug_headers: z.boolean().default(false).describe('Allow x-semroute-debug: true to return the matched signals.'),
  })
  .prefault({});

export const telemetrySchema = z
  .strictObject({
    logging: z
      .strictObject({
        level: z
          .enum(['debug', 'info', 'warn', 'error'])
          .default('info')
          .describe('Lowest level written (JSON lines on stdout). SEMROUTE_LOG_LEVEL overrides it; applies at start.'),
        requests: z
          .enum(['info', 'debug', 'off'])
          .default('info')
          .describe(
            'Level of the one line written per request (request id, trace id, decision, model, cache, latency, status; never prompt, answer, credentials or identities); off: none.',
          ),
      })
      .prefault({})
      .describe('Structured logs.'),
    token_usage: z
      .boolean()
      .default(true)
      .describe(
        "Count every answer's tokens (semroute_tokens_total by model, decision and type) from the usage the upstream reports: Envoy then streams routed answers through ext_proc (STREAMED, no buffering). Streaming chat requests are sent with stream_options.include_usage and the usage chunk is removed again when the client did not ask for it.",
      ),
    max_tenant_labels: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe(
        "Distinct tenant label values on the GenAI metrics (tokens, time to first token, cost); later tenants are counted as tenant=\"other\". Only a trusted tenant header (security.identity.trusted) names tenants; otherwise the label is none. 0: no tenant label.",
      ),
    tracing: z
      .strictObject({
        otlp_endpoint: z
          .string()
          .default('')
          .describe(
            'OTLP collector: for http/protobuf and http/json a URL (a bare host URL gets /v1/traces appended, e.g. http://otel-collector:4318), for grpc the collector address (http://otel-collector:4317). Empty: tracing off, at no cost per request.',
          ),
        protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf').describe('OTLP transport (as OTEL_EXPORTER_OTLP_PROTOCOL).'),
        headers: z
          .record(z.string().min(1), z.string())
          .default({})
          .describe('Headers (HTTP) or metadata (gRPC) sent with every export, e.g. a collector token from ${ENV}.'),
        sample_ratio: z.number().min(0).max(1).default(0.05).describe('Share of requests without a sampled parent that are traced (TraceIdRatioBased).'),
        parent_based: z
          .boolean()
          .default(true)
          .describe("Follow the sampled flag of the request's W3C traceparent (set by Envoy or the client): a sampled parent is always traced, an unsampled one never; sample_ratio applies to requests without one."),
        service_name: z.string().default('semroute').describe('service.name of the spans.'),
        capture_content: z
          .boolean()
          .default(false)
          .describe(
            'Record the request messages (gen_ai.input.messages) and the answer (gen_ai.output.messages; chat-shaped answers: chat, completions, translated) on the upstream span, at most 16 KiB each. Off: no prompt or completion text in any span.',
          ),
        max_queue_size: z
          .number()
          .int()
          .min(16)
          .max(1_000_000)
          .default(2048)
          .describe('Ended spans held for export; while the collector is slow or down, spans beyond it are dropped (never requests).'),
        export_timeout_ms: z.number().int().min(100).max(120_000).default(10_000).describe('Time one export may take before it is abandoned (its spans are dropped).'),
      })
      .superRefine((t, ctx) => {
        if (t.otlp_endpoint === '') return;
        let url: URL | undefined;
        try {
          url = new URL(t.otlp_endpoint);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
          ctx.addIssue({ code: 'custom', path: ['otlp_endpoint'], message: 'must be an http:// or https:// URL (e.g. http://otel-collector:4318)' });
        }
      })
      .prefault({})
      .describe('OpenTelemetry traces.'),
  })
  .prefault({});
