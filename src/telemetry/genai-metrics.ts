// The OpenTelemetry GenAI metrics of every routed answer, read from the response path, as the
// OTel → Prometheus convention renders them (dots become underscores, the unit becomes a suffix):
//
//   gen_ai.client.token.usage            → gen_ai_client_token_usage (histogram, tokens)
//   gen_ai.server.time_to_first_token    → gen_ai_server_time_to_first_token_seconds (streamed answers)
//   gen_ai.server.time_per_output_token  → gen_ai_server_time_per_output_token_seconds (streamed answers)
//   gen_ai.server.request.duration       → gen_ai_server_request_duration_seconds
//   semroute_request_cost                  cost of one answer from models[].cost_per_million_tokens
//
// Labels: gen_ai_operation_name, gen_ai_request_model (the configured model semroute chose),
// gen_ai_response_model (its served name), gen_ai_token_type (input, output), decision, tenant.
// Buckets are the GenAI semantic conventions' advice (tokens 1 … 64 Mi; first token 1 ms … 10 s;
// per output token 10 ms … 2.5 s; request 10 ms … 82 s). The times are the router's view: from the
// request leaving semroute (its body answered) to the upstream's first and last body bytes.
import type { LocalHistogram } from './local-instruments.js';

export interface GenAiObservation {
  operation: string;
  model: string;
  servedModel: string;
  decision: string;
  /** A trusted tenant name, or 'none'; bounded by max_tenant_labels here. */
  tenant: string;
  usage?: { input: number; output: number; cached: number };
  ttftSeconds?: number;
  tpotSeconds?: number;
  durationSeconds?: number;
  cost?: number;
}

export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const TTFT_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
export const TPOT_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
export const REQUEST_DURATION_BUCKETS_SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Cost of one answer in the unit of cost_per_million_tokens (e.g. dollars): a hundred-thousandth … 10. */
export const COST_BUCKETS = [0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 10];

export type GenAiRecorder = (o: GenAiObservation) => void;

const LABELS = ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.response.model', 'decision', 'tenant'] as const;
const TOKEN_LABELS = [...LABELS, 'gen_ai.token.type'] as const;
type HistogramFactory = <K extends string>(name: string, description: string, labels: readonly K[], buckets: readonly number[]) => LocalHistogram<K>;

export function genAiMetrics(histogram: HistogramFactory, opts: { prefix: string; maxTenants: number; label: (v: string) => string }): GenAiRecorder {
  const tokens = histogram('gen_ai_client_token_usage', 'gen_ai.client.token.usage: tokens of one answer by type (input: prompt, cached included; output), from the upstream usage report.', TOKEN_LABELS, TOKEN_BUCKETS);
  const ttft = histogram('gen_ai_server_time_to_first_token_seconds', 'gen_ai.server.time_to_first_token: seconds from the request leaving semroute to the first bytes of a streamed answer.', LABELS, TTFT_BUCKETS_SECONDS);
  const tpot = histogram('gen_ai_server_time_per_output_token_seconds', 'gen_ai.server.time_per_output_token: seconds per output token after the first, of a streamed answer.', LABELS, TPOT_BUCKETS_SECONDS);
  const duration = histogram('gen_ai_server_request_duration_seconds', 'gen_ai.server.request.duration: seconds from the request leaving semroute to the end of its answer.', LABELS, REQUEST_DURATION_BUCKETS_SECONDS);
  const cost = histogram(`${opts.prefix}request_cost`, 'Cost of one answer from the chosen model\'s cost_per_million_tokens (input and cached tokens at the input price), in its unit.', LABELS, COST_BUCKETS);
  // Tenants are request data: the first max_tenants names get their own label, the rest are 'other'.
  const tenants = new Set<string>();
  const tenantLabel = (t: string): string => {
    if (opts.maxTenants === 0 || t === 'none') return 'none';
    if (tenants.has(t)) return t;
    if (tenants.size >= opts.maxTenants) return 'other';
    tenants.add(t);
    return t;
  };
  return (o) => {
    const attrs: Record<(typeof TOKEN_LABELS)[number], string> = {
      'gen_ai.operation.name': o.operation,
      'gen_ai.request.model': opts.label(o.model),
      'gen_ai.response.model': opts.label(o.servedModel),
      decision: opts.label(o.decision),
      tenant: opts.label(tenantLabel(o.tenant)),
      'gen_ai.token.type': 'input',
    };
    if (o.usage) {
      // The histograms read only their own labels: one object serves all of them.
      tokens.record(o.usage.input, attrs);
      attrs['gen_ai.token.type'] = 'output';
      tokens.record(o.usage.output, attrs);
    }
    // record() drops negative, NaN and infinite values.
    if (o.ttftSeconds !== undefined) ttft.record(o.ttftSeconds, attrs);
    if (o.tpotSeconds !== undefined) tpot.record(o.tpotSeconds, attrs);
    if (o.durationSeconds !== undefined) duration.record(o.durationSeconds, attrs);
    if (o.cost !== undefined) cost.record(o.cost, attrs);
  };
}
