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
      })
      .prefault({})
      .describe('Structured logs.'),
    token_usage: z
      .boolean()
      .default(true)
      .describe(
        "Count every answer's tokens (semroute_tokens_total by model, decision and type) from the usage the upstream reports: Envoy then streams routed answers through ext_proc (STREAMED, no buffering). Streaming chat requests are sent with stream_options.include_usage and the usage chunk is removed again when the client did not ask for it.",
      ),
    tracing: z
      .strictObject({
        otlp_endpoint: z.string().default('').describe('OTLP/HTTP endpoint; empty: tracing off.'),
        sample_ratio: z.number().min(0).max(1).default(0.05).describe('Share of requests traced.'),
        service_name: z.string().default('semroute').describe('service.name of the spans.'),
      })
      .prefault({})
      .describe('OpenTelemetry traces.'),
  })
  .prefault({});
