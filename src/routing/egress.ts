// Which protocol a request leaves semroute in: the client's own when the chosen model serves it
// natively (models[].api), otherwise chat completions, which every model serves (the schema
// requires it) and which Responses and Anthropic requests are translated to.
import type { ModelConfig } from '../config/schema.js';
import { PROTOCOL_API, type Protocol } from '../protocol/ir.js';

export function servesNatively(model: Pick<ModelConfig, 'api'>, protocol: Protocol): boolean {
  return model.api.includes(PROTOCOL_API[protocol]);
}

export function egressProtocol(protocol: Protocol, model: Pick<ModelConfig, 'api'>): Protocol {
  return servesNatively(model, protocol) ? protocol : 'openai.chat';
}
