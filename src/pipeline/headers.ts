// Request headers as routing sees them: lower-cased names, repeated values joined with ", ".
export type RequestHeaders = ReadonlyMap<string, string>;

/** Headers semroute owns: always set by semroute, never trusted from a client. */
export const MODEL_HEADER = 'x-semroute-model';
export const DECISION_HEADER = 'x-semroute-decision';
export const ENDPOINT_HEADER = 'x-gateway-destination-endpoint';
/**
 * The model header of the Gateway API Inference Extension's body-based router: in routing.mode
 * model semroute writes it (the served model name) so that an HTTPRoute matches it to the model's
 * InferencePool, whose endpoint picker then chooses the replica.
 */
export const GIE_MODEL_HEADER = 'x-gateway-model-name';
/** On responses (hit | miss | bypass) and, with the value bypass, on requests that skip the cache. */
export const CACHE_HEADER = 'x-semroute-cache';

export function isOwnedHeader(name: string): boolean {
  return name.startsWith('x-semroute-') || name === ENDPOINT_HEADER || name === GIE_MODEL_HEADER;
}

/** The owned headers a client sent, to be removed before any route is chosen. */
export function ownedHeadersPresent(headers: RequestHeaders): string[] {
  const out: string[] = [];
  for (const name of headers.keys()) if (isOwnedHeader(name)) out.push(name);
  return out;
}
