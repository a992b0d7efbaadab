// Endpoint mode with routing.endpoint_picker: the pick on the request path (memory reads only; the
// scrapes run on their own timers) and the one table from a refusal to the client's error:
// none_eligible → 503 no_backend, shed → 429 overloaded (GIE's endpoint-picker protocol).
import type { ModelConfig } from '../config/schema.js';
import type { LiveEndpointPicker } from '../endpoints/live-picker.js';
import { RouterError } from '../protocol/errors.js';
import type { RoutingRequest } from '../protocol/ir.js';

/** The envoy.lb.subset_hint metadata namespace and its key (GIE endpoint-picker protocol). */
export const SUBSET_NAMESPACE = 'envoy.lb.subset_hint';
export const SUBSET_KEY = 'x-gateway-destination-endpoint-subset';
/** The response header the data plane sets to the endpoint that served (after retries). */
export const SERVED_HEADER = 'x-gateway-destination-endpoint-served';

/**
 * The prompt as the engine's KV cache sees it, in order: tool definitions (chat templates put them
 * in the system turn), then each message. Cut at `max` characters (the hashed blocks' reach).
 */
export function promptText(ir: Pick<RoutingRequest, 'tools' | 'messages'>, max: number): string {
  let out = '';
  for (const t of ir.tools) {
    out += `${t.name}:${t.description ?? ''}\n`;
    if (out.length >= max) return out.slice(0, max);
  }
  for (const m of ir.messages) {
    out += `<${m.role}>${m.text}\n`;
    if (out.length >= max) return out.slice(0, max);
  }
  return out;
}

export interface EndpointPickInput {
  ir?: Pick<RoutingRequest, 'tools' | 'messages'>;
  decision: string;
  subset?: readonly string[];
  pinned?: string;
}

export function pickEndpoints(live: LiveEndpointPicker, model: ModelConfig, input: EndpointPickInput): { endpoints: string[]; served: (endpoint: string) => void } {
  const p = live.cfg.prefix;
  const prompt = input.ir ? promptText(input.ir, p.max_blocks * p.block_size * p.chars_per_token) : '';
  const r = live.pick(model, {
    prompt,
    decision: input.decision,
    ...(input.subset ? { subset: input.subset } : {}),
    ...(input.pinned ? { pinned: input.pinned } : {}),
  });
  if (r.kind === 'picked') return { endpoints: r.endpoints, served: r.served };
  if (r.outcome === 'shed') throw new RouterError('overloaded', `The model "${model.name}" is overloaded; retry later.`, 'model');
  throw new RouterError('no_backend', `No endpoint of the model "${model.name}" can take the request (${r.reason}).`, 'model');
}

/** The subset hint from the request's metadata_context, as protobufjs hands it over (Struct, camelCase fields). */
export function subsetHint(metadataContext: unknown): string[] | undefined {
  const ns = (metadataContext as { filter_metadata?: Record<string, unknown> } | undefined)?.filter_metadata?.[SUBSET_NAMESPACE] as
    | { fields?: Record<string, { listValue?: { values?: { stringValue?: string }[] } }> }
    | undefined;
  const list = ns?.fields?.[SUBSET_KEY]?.listValue;
  if (!list) return undefined;
  // An empty list is an empty subset: nothing is eligible (503), as the protocol says.
  return (list.values ?? []).flatMap((v) => (typeof v.stringValue === 'string' ? v.stringValue.split(',').map((s) => s.trim()).filter(Boolean) : []));
}
